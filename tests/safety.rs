//! Nothing a user owns is ever lost (issue 8): one regression test per defect, named after
//! it. Folders that are not defsim's, user files inside defsim's folders and `--out` naming
//! a file are refused with exit 2 and left untouched, by every verb that writes; a closed
//! standard output ends a verb quietly; `check --update` creates the baseline's folders;
//! `discover` with no matching trial exits 1; few trials warn; a full disk fails with a
//! message naming the file and leaves the earlier result as it was.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{names, snapshot};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_defsim"));
    c.current_dir(root());
    c
}

fn defsim(args: &[&str]) -> Output {
    bin().args(args).output().expect("defsim runs")
}

/// `defsim args`, which must exit 0.
fn succeeds(args: &[&str]) -> Output {
    let out = defsim(args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    out
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const BASE: &str = "scenarios/baseline.toml";

/// A scenario `file` in a new temporary folder, extending [`BASE`] followed by `rest`, and
/// `defsim validate` of it.
fn validate_child(file: &str, rest: &str) -> (tempfile::TempDir, PathBuf, Output) {
    let tmp = tempfile::tempdir().unwrap();
    let child = common::child_scenario(tmp.path(), file, "baseline.toml", rest);
    let r = defsim(&["validate", child.to_str().unwrap()]);
    (tmp, child, r)
}

/// `defsim check BASE --baseline target --update` with `extra` arguments.
fn check_update(target: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "check",
        BASE,
        "--baseline",
        target.to_str().unwrap(),
        "--update",
    ];
    args.extend(extra);
    defsim(&args)
}

/// Every verb that writes a folder, with `--out OUT` and few trials.
fn writing_verbs(out: &str) -> Vec<Vec<String>> {
    let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        v(&["run", BASE, "--trials", "200", "--no-plots", "--out", out]),
        v(&[
            "compare",
            BASE,
            "scenarios/captive-power.toml",
            "--trials",
            "200",
            "--no-plots",
            "--out",
            out,
        ]),
        v(&[
            "sweep",
            BASE,
            "--param",
            "plan.oversight=0:1:2",
            "--trials",
            "200",
            "--no-plots",
            "--out",
            out,
        ]),
        v(&["sensitivity", BASE, "--trials", "200", "--out", out]),
        v(&[
            "discover",
            BASE,
            "--where",
            "viable == 0",
            "--trials",
            "200",
            "--out",
            out,
        ]),
        v(&[
            "check",
            BASE,
            "--baseline",
            "tests/golden/baseline.summary.json",
            // The golden's own trial count: the re-run is then the same run, so the check
            // passes by construction and the test is about the folder alone.
            "--trials",
            "20000",
            "--out",
            out,
        ]),
    ]
}

#[test]
fn defect_1_out_into_a_folder_that_is_not_defsims_is_refused_by_every_verb() {
    let tmp = tempfile::tempdir().unwrap();
    let mydocs = tmp.path().join("mydocs");
    fs::create_dir(&mydocs).unwrap();
    fs::write(mydocs.join("thesis.txt"), "x").unwrap();
    for args in writing_verbs(mydocs.to_str().unwrap()) {
        let out = bin().args(&args).output().unwrap();
        let what = format!("{args:?}\n{}", text(&out));
        assert_eq!(out.status.code(), Some(2), "{what}");
        let err = stderr(&out);
        assert!(err.contains("not a defsim output folder"), "{what}");
        assert!(err.contains("thesis.txt"), "names what it found: {what}");
        assert!(
            out.stdout.is_empty(),
            "nothing simulated or printed: {what}"
        );
        assert_eq!(names(&mydocs), ["thesis.txt"], "{what}");
        assert_eq!(fs::read_to_string(mydocs.join("thesis.txt")).unwrap(), "x");
        assert_eq!(names(tmp.path()), ["mydocs"], "no staging left: {what}");
    }
}

#[test]
fn defect_1_a_file_of_the_users_inside_a_defsim_folder_is_refused_and_named() {
    let tmp = tempfile::tempdir().unwrap();
    for (i, args) in writing_verbs("OUT").into_iter().enumerate() {
        let out_dir = tmp.path().join(format!("out{i}"));
        let args: Vec<String> = args
            .into_iter()
            .map(|a| {
                if a == "OUT" {
                    out_dir.display().to_string()
                } else {
                    a
                }
            })
            .collect();
        let first = bin().args(&args).output().unwrap();
        assert_eq!(first.status.code(), Some(0), "{args:?}\n{}", text(&first));
        assert!(
            out_dir.join(".defsim-output").is_file(),
            "{args:?}: a manifest"
        );
        // Writing again into defsim's own folder is fine.
        let again = bin().args(&args).output().unwrap();
        assert_eq!(again.status.code(), Some(0), "{args:?}\n{}", text(&again));
        fs::write(out_dir.join("notes.txt"), "mine").unwrap();
        fs::create_dir_all(out_dir.join("plots/mine")).unwrap();
        let before = snapshot(&out_dir);
        let out = bin().args(&args).output().unwrap();
        let what = format!("{args:?}\n{}", text(&out));
        assert_eq!(out.status.code(), Some(2), "{what}");
        assert!(stderr(&out).contains("notes.txt"), "{what}");
        assert!(stderr(&out).contains("plots/mine/"), "{what}");
        assert_eq!(snapshot(&out_dir), before, "nothing touched: {what}");
    }
}

#[test]
fn defect_1_folders_written_by_v01_are_recognised_and_user_files_in_them_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("baseline");
    fs::create_dir_all(out.join("plots")).unwrap();
    fs::write(
        out.join("run.json"),
        r#"{"defsim_version": "0.1.0", "seed": 1}"#,
    )
    .unwrap();
    for f in [
        "summary.json",
        "summary.csv",
        "report.html",
        "plots/fan.svg",
    ] {
        fs::write(out.join(f), "v0.1").unwrap();
    }
    fs::write(out.join("notes.txt"), "mine").unwrap();
    let o = out.to_str().unwrap();
    let r = defsim(&["run", BASE, "--trials", "200", "--no-plots", "--out", o]);
    assert_eq!(r.status.code(), Some(2), "{}", text(&r));
    assert!(stderr(&r).contains("notes.txt"), "{}", text(&r));
    fs::remove_file(out.join("notes.txt")).unwrap();
    succeeds(&["run", BASE, "--trials", "200", "--no-plots", "--out", o]);
    assert!(out.join(".defsim-output").is_file());
    assert!(
        !out.join("plots").exists(),
        "the old output was replaced whole"
    );
}

#[test]
fn defect_1_check_update_refuses_a_target_that_is_not_a_defsim_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let thesis = tmp.path().join("thesis.txt");
    fs::write(&thesis, "my thesis").unwrap();
    let folder = tmp.path().join("folder");
    fs::create_dir(&folder).unwrap();
    for target in [&thesis, &folder] {
        let r = check_update(target, &["--trials", "200"]);
        assert_eq!(r.status.code(), Some(2), "{}", text(&r));
        assert!(r.stdout.is_empty(), "nothing simulated: {}", text(&r));
    }
    assert_eq!(fs::read_to_string(&thesis).unwrap(), "my thesis");
    assert_eq!(names(tmp.path()), ["folder", "thesis.txt"]);
}

#[test]
fn defect_2_out_naming_an_existing_file_exits_2_and_leaves_it_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("results");
    fs::write(&file, "precious").unwrap();
    for args in writing_verbs(file.to_str().unwrap()) {
        let out = bin().args(&args).output().unwrap();
        let what = format!("{args:?}\n{}", text(&out));
        assert_eq!(out.status.code(), Some(2), "{what}");
        assert!(stderr(&out).contains("is a file"), "{what}");
        assert_eq!(fs::read_to_string(&file).unwrap(), "precious");
        assert_eq!(names(tmp.path()), ["results"], "{what}");
    }
}

#[test]
fn defect_3_replacing_a_result_keeps_a_complete_folder_under_its_name() {
    // The exchange itself is tested in src/export/staging/tests.rs; here: a second run into the
    // same folder replaces it whole and leaves nothing beside it.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = out.to_str().unwrap();
    succeeds(&["run", BASE, "--trials", "200", "--trials-csv", "--out", o]);
    succeeds(&["run", BASE, "--trials", "300", "--no-plots", "--out", o]);
    assert_eq!(names(tmp.path()), ["out"]);
    assert!(!out.join("trials.csv").exists() && !out.join("plots").exists());
    let summary = fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(summary.contains("\"trials\": 300"));
}

/// The host name as staging names carry it.
fn host() -> String {
    rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .replace(['/', '.'], "_")
}

#[test]
fn defect_4_stale_staging_of_a_dead_process_is_removed_by_the_next_run_on_this_host_only() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let dead = tmp.path().join(format!(
        ".out.defsim-staging.{}.99999999.0123456789abcdef",
        host()
    ));
    let elsewhere = tmp
        .path()
        .join(".out.defsim-staging.another-node.99999999.0123456789abcdef");
    let live = tmp.path().join(format!(
        ".out.defsim-staging.{}.{}.0123456789abcdef",
        host(),
        std::process::id()
    ));
    for d in [&dead, &elsewhere, &live] {
        fs::create_dir(d).unwrap();
        fs::write(d.join("summary.json"), "partial").unwrap();
    }
    succeeds(&[
        "run",
        BASE,
        "--trials",
        "200",
        "--no-plots",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!dead.exists(), "a dead process's staging folder is removed");
    assert!(elsewhere.exists(), "another host's is never touched");
    assert!(live.exists(), "a live process's is never touched");
}

#[test]
fn defect_4_sigint_during_a_run_removes_the_staging_folder_and_exits_130() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let child = bin()
        .args([
            "run",
            BASE,
            "--trials",
            "200000",
            "--out",
            out.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Signal once the handler is installed (SIGINT caught, per /proc), then a little later: a
    // loaded machine's slow start must not turn this into a test of the default action.
    let caught = || common::catches_interrupts(child.id());
    common::wait_until(600, std::time::Duration::from_millis(10), caught);
    assert!(caught(), "the SIGINT handler was never installed");
    std::thread::sleep(std::time::Duration::from_millis(200));
    let pid = rustix::process::Pid::from_child(&child);
    rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
    let r = child.wait_with_output().unwrap();
    assert_eq!(r.status.code(), Some(130), "{}", text(&r));
    assert!(stderr(&r).contains("interrupted"), "{}", text(&r));
    assert!(names(tmp.path()).is_empty(), "{:?}", names(tmp.path()));
}

/// Runs `args` with standard output a pipe whose reading end is already closed.
fn with_closed_stdout(args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    bin()
        .args(args)
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

#[test]
fn defect_5_a_closed_stdout_ends_every_printing_verb_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let o = |n: &str| tmp.path().join(n).display().to_string();
    let mut cases: Vec<Vec<String>> = vec![
        ["trace", BASE, "--trial", "7"].map(String::from).to_vec(),
        // The CSV is written before the table is printed: `trace --csv F | head -1` keeps F.
        ["trace", BASE, "--trial", "3", "--csv", &o("trace.csv")]
            .map(String::from)
            .to_vec(),
        ["validate", BASE, "--print"].map(String::from).to_vec(),
        ["validate", BASE].map(String::from).to_vec(),
        // The verdict too is written before anything is printed.
        [
            "check",
            BASE,
            "--baseline",
            "tests/golden/baseline.summary.json",
            "--trials",
            "200",
            "--json",
            &o("verdict.json"),
        ]
        .map(String::from)
        .to_vec(),
    ];
    for (i, mut args) in writing_verbs("OUT").into_iter().enumerate() {
        for a in &mut args {
            if a == "OUT" {
                *a = o(&format!("out{i}"));
            }
        }
        cases.push(args);
    }
    for args in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = with_closed_stdout(&args);
        let what = format!("{args:?}\n{}", text(&r));
        assert_eq!(r.status.code(), Some(0), "{what}");
        assert!(!stderr(&r).contains("panicked"), "{what}");
        assert!(!stderr(&r).contains("Broken pipe"), "{what}");
    }
    // The outputs were written before the headline was printed, and nothing is left beside.
    assert!(tmp.path().join("out0/summary.json").is_file());
    for i in 0..writing_verbs("OUT").len() {
        assert!(
            tmp.path().join(format!("out{i}")).is_dir(),
            "out{i} not written"
        );
    }
    let csv = fs::read_to_string(tmp.path().join("trace.csv")).unwrap();
    assert!(csv.starts_with("kind,name,year,value\n"), "{csv}");
    let verdict = fs::read_to_string(tmp.path().join("verdict.json")).unwrap();
    assert!(verdict.contains("\"holds\""), "{verdict}");
    assert!(names(tmp.path()).iter().all(|n| !n.starts_with('.')));
}

#[test]
fn defect_11_check_update_creates_the_baselines_parent_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("baselines/nested/baseline.summary.json");
    let r = check_update(&target, &["--trials", "200"]);
    assert_eq!(r.status.code(), Some(0), "{}", text(&r));
    assert!(target.is_file());
    assert_eq!(names(target.parent().unwrap()), ["baseline.summary.json"]);
    // The new baseline holds.
    succeeds(&["check", BASE, "--baseline", target.to_str().unwrap()]);

    // A parent that is a file: exit 2 before simulating.
    fs::write(tmp.path().join("afile"), "x").unwrap();
    let bad = tmp.path().join("afile/sub/b.summary.json");
    let r = check_update(&bad, &[]);
    assert_eq!(r.status.code(), Some(2), "{}", text(&r));
    assert!(stderr(&r).contains("is a file"), "{}", text(&r));
    assert!(r.stdout.is_empty());
}

#[test]
fn defect_12_discover_with_no_matching_trial_says_so_and_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("d");
    let r = defsim(&[
        "discover",
        BASE,
        "--where",
        "viable > 2",
        "--trials",
        "500",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(1), "{}", text(&r));
    assert!(stderr(&r).contains("nothing to discover"), "{}", text(&r));
    assert!(names(tmp.path()).is_empty(), "nothing written");
}

#[test]
fn defect_12_fewer_than_1000_trials_warn_that_intervals_are_wide() {
    let tmp = tempfile::tempdir().unwrap();
    let o = tmp.path().join("o");
    let o = o.to_str().unwrap();
    let r = succeeds(&["run", BASE, "--trials", "1", "--no-plots", "--out", o]);
    assert!(stderr(&r).contains("wide intervals"), "{}", text(&r));
    let r = succeeds(&["run", BASE, "--trials", "1000", "--no-plots", "--out", o]);
    assert!(!stderr(&r).contains("wide intervals"), "{}", text(&r));
}

/// The disk fills while trials.csv is written: a small tmpfs when the test runs as root
/// (as CI does) and may mount; otherwise a file-size limit (RLIMIT_FSIZE) with SIGXFSZ
/// ignored, so that the write fails with EFBIG.
#[test]
fn disk_full_during_the_write_exits_1_naming_the_file_and_keeps_the_earlier_result() {
    let tmp = tempfile::tempdir().unwrap();
    let mount = tmp.path().join("disk");
    fs::create_dir(&mount).unwrap();
    let root_user = rustix::process::geteuid().is_root();
    // About 1 MB for the earlier result and room to spare, far less than trials.csv of
    // 20,000 trials (about 10 MB).
    let mounted = root_user
        && Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=3m", "tmpfs"])
            .arg(&mount)
            .status()
            .is_ok_and(|s| s.success());
    struct Unmount<'a>(&'a Path, bool);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            if self.1 {
                let _ = Command::new("umount").arg(self.0).status();
            }
        }
    }
    let _guard = Unmount(&mount, mounted);
    eprintln!(
        "disk full by {}",
        if mounted {
            "a 3 MB tmpfs"
        } else {
            "RLIMIT_FSIZE"
        }
    );
    let out = mount.join("out");
    let o = out.to_str().unwrap();
    succeeds(&["run", BASE, "--trials", "1000", "--no-plots", "--out", o]);
    let before = snapshot(&out);

    let mut cmd = bin();
    cmd.args([
        "run",
        BASE,
        "--trials",
        "20000",
        "--trials-csv",
        "--no-plots",
        "--out",
        o,
    ]);
    if !mounted {
        use std::os::unix::process::CommandExt;
        // SAFETY: between fork and exec, only async-signal-safe calls (signal, setrlimit).
        unsafe {
            cmd.pre_exec(|| {
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                let lim = libc::rlimit {
                    rlim_cur: 2 << 20,
                    rlim_max: 2 << 20,
                };
                if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let r = cmd.output().unwrap();
    assert_eq!(r.status.code(), Some(1), "{}", text(&r));
    let err = stderr(&r);
    assert!(err.contains("trials.csv"), "names the file: {err}");
    assert!(
        err.contains("No space left") || err.contains("too large"),
        "{err}"
    );
    assert_eq!(snapshot(&out), before, "the earlier result is intact");
    assert_eq!(names(&mount), ["out"], "no staging left");
}

#[test]
fn defect_6_a_child_without_a_name_is_named_after_its_file_stem() {
    let (_tmp, child, r) = validate_child("more-oversight.toml", "\n[plan]\noversight = 0.9\n");
    assert_eq!(r.status.code(), Some(0), "{}", text(&r));
    assert!(
        String::from_utf8_lossy(&r.stdout).contains("(more-oversight,"),
        "{}",
        text(&r)
    );
    // A name of its own, or from --set, is kept.
    let r = defsim(&[
        "validate",
        child.to_str().unwrap(),
        "--set",
        "scenario.name=\"mine\"",
    ]);
    assert!(
        String::from_utf8_lossy(&r.stdout).contains("(mine,"),
        "{}",
        text(&r)
    );
}

#[test]
fn defect_7_values_that_would_break_a_run_are_refused_by_validate_naming_the_key() {
    for (set, key) in [
        ("gold.drift=1000", "gold.drift"),
        ("macro.volatility=1e308", "macro.volatility"),
        ("plan.credit_rate=1e308", "plan.credit_rate"),
        ("macro.population0_m=1e-320", "macro.population0_m"),
        (
            "lines.vehicles.military_demand=1e308",
            "lines.vehicles.military_demand",
        ),
        ("scenario.horizon_years=100000", "scenario.horizon_years"),
        ("scenario.horizon_years=100000000", "scenario.horizon_years"),
        ("scenario.start_year=2147483647", "scenario.start_year"),
        (
            "lines.small_arms.initial_cost_ratio.low=-1e308",
            "lines.small_arms.initial_cost_ratio.low",
        ),
    ] {
        for verb in ["validate", "run"] {
            let tmp = tempfile::tempdir().unwrap();
            let out = tmp.path().join("o");
            let mut args = vec![verb, BASE, "--set", set];
            let o = out.to_str().unwrap().to_string();
            if verb == "run" {
                args.extend(["--trials", "200", "--no-plots", "--out", &o]);
            }
            let r = defsim(&args);
            let what = format!("{verb} --set {set}\n{}", text(&r));
            assert_eq!(r.status.code(), Some(2), "{what}");
            assert!(stderr(&r).contains(key), "{what}");
            assert!(!out.exists(), "{what}");
        }
    }
}

#[test]
fn defect_8_an_extends_target_that_is_not_a_small_regular_file_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let big = tmp.path().join("big.toml");
    fs::write(&big, "#".repeat(2 << 20)).unwrap();
    for target in [
        "/dev/zero",
        tmp.path().to_str().unwrap(),
        big.to_str().unwrap(),
    ] {
        let child = tmp.path().join("child.toml");
        fs::write(&child, format!("[scenario]\nextends = {target:?}\n")).unwrap();
        let r = defsim(&["validate", child.to_str().unwrap()]);
        assert_eq!(r.status.code(), Some(2), "{target}: {}", text(&r));
        let err = stderr(&r);
        assert!(
            err.contains("not a regular file") || err.contains("larger than any scenario"),
            "{target}: {err}"
        );
    }
}

#[test]
fn defect_9_a_percent_typo_names_the_childs_key_and_line_and_suggests_the_share() {
    let (_tmp, _, r) = validate_child(
        "typo.toml",
        "name = \"typo\"\n\n[macro]\ntrend_growth = { mean = 5 }\n",
    );
    assert_eq!(r.status.code(), Some(2), "{}", text(&r));
    let err = stderr(&r);
    assert!(err.contains("typo.toml:6"), "the child's line: {err}");
    assert!(err.contains("macro.trend_growth.mean"), "{err}");
    assert!(err.contains("did you mean 0.05 (5%)?"), "{err}");
    let r = defsim(&["validate", BASE, "--set", "plan.oversight=50"]);
    assert!(
        stderr(&r).contains("did you mean 0.5 (50%)?"),
        "{}",
        text(&r)
    );
}

/// A `--set` of a whole table marks only the parameters whose value it changed: the others
/// under the table keep their source.
#[test]
fn a_table_set_marks_only_the_parameters_it_changed() {
    let o = succeeds(&[
        "validate",
        BASE,
        "--print",
        "--set",
        "lines.vehicles={enabled=false,capacity=300}",
    ]);
    let text = String::from_utf8(o.stdout).unwrap();
    let marked: Vec<&str> = text.lines().filter(|l| l.contains("# --set")).collect();
    assert_eq!(marked.len(), 1, "{marked:#?}");
    assert!(
        marked[0].starts_with("capacity ") && marked[0].contains("= 300"),
        "{marked:?}"
    );
}

#[test]
fn a_set_with_its_own_source_keeps_it_between_the_set_and_the_files_source() {
    let o = succeeds(&[
        "validate",
        BASE,
        "--print",
        "--set",
        r#"plan.oversight={dist="fixed",value=0.5,source="ministry memo 2026"}"#,
    ]);
    let text = String::from_utf8(o.stdout).unwrap();
    let marked: Vec<&str> = text.lines().filter(|l| l.contains("# --set")).collect();
    assert_eq!(marked.len(), 1, "{marked:#?}");
    let (value, source) = marked[0].split_once('#').unwrap();
    assert!(
        value.trim_start().starts_with("oversight") && value.contains("= 0.5"),
        "{value}"
    );
    let set = r#"--set plan.oversight={dist="fixed",value=0.5,source="ministry memo 2026"}"#;
    assert_eq!(
        source.trim(),
        format!("{set}: ministry memo 2026 (was: lever: no oversight beyond today's)"),
    );
}

#[test]
fn defect_10_overrides_are_recorded_in_summary_run_json_and_the_report() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let o = out.to_str().unwrap();
    succeeds(&["run", BASE, "--trials", "200", "--no-plots", "--out", o]);
    let plain = fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(!plain.contains("\"overrides\""), "no overrides, no field");
    succeeds(&[
        "run",
        BASE,
        "--trials",
        "200",
        "--no-plots",
        "--out",
        o,
        "--set",
        "plan.oversight=0.5",
        "--set",
        "macro.trend_growth.mean=0.04",
    ]);
    // Each parameter a --set changed says so in its source, keeping the file's source as
    // "was:"; the others keep theirs.
    let sources = |text: &str| -> BTreeMap<String, String> {
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        v["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let s = p["source"].as_str().unwrap().to_string();
                (p["key"].as_str().unwrap().to_string(), s)
            })
            .collect()
    };
    let (plain_src, set_src) = (
        sources(&plain),
        sources(&fs::read_to_string(out.join("summary.json")).unwrap()),
    );
    for (key, set) in [
        ("plan.oversight", "--set plan.oversight=0.5"),
        ("macro.trend_growth", "--set macro.trend_growth.mean=0.04"),
    ] {
        assert!(!plain_src[key].is_empty(), "{key} has a source in the file");
        assert_eq!(
            set_src[key],
            format!("{set} (was: {})", plain_src[key]),
            "{key}"
        );
    }
    for (key, s) in &plain_src {
        if !["plan.oversight", "macro.trend_growth"].contains(&key.as_str()) {
            assert_eq!(&set_src[key], s, "{key} was not set");
        }
    }
    for file in ["summary.json", "run.json"] {
        let v: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(out.join(file)).unwrap()).unwrap();
        let list = if file == "run.json" {
            &v["overrides"]
        } else {
            &v["scenario"]["overrides"]
        };
        assert_eq!(
            list,
            &serde_json::json!([
                {"key": "plan.oversight", "value": "0.5", "source": "--set"},
                {"key": "macro.trend_growth.mean", "value": "0.04", "source": "--set"}
            ]),
            "{file}"
        );
    }
    let with = fs::read_to_string(out.join("summary.json")).unwrap();
    let sha = |t: &str| {
        let v: serde_json::Value = serde_json::from_str(t).unwrap();
        v["scenario"]["resolved_sha256"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_ne!(sha(&plain), sha(&with), "the hash covers the override");
    let report = fs::read_to_string(out.join("report.html")).unwrap();
    let first_screen = &report[..report.find("Headline").unwrap()];
    assert!(
        first_screen.contains("plan.oversight = 0.5"),
        "on the report's first screen"
    );
}

/// The files named by `check --json FILE` and `trace --csv FILE`: a new one is written whole
/// through a staging file and a rename (the replaced file's inode goes, none is truncated in
/// place, nothing is left beside it); one that defsim wrote (a verdict, a trace) is replaced
/// the same way; a file of the user's, a symbolic link or a folder is refused before anything
/// runs (exit 2, naming it) and left as it was.
#[test]
fn named_output_files_are_replaced_whole_and_only_when_defsim_wrote_them() {
    use std::os::unix::fs::MetadataExt as _;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("files");
    fs::create_dir(&dir).unwrap();
    let path = |n: &str| dir.join(n).display().to_string();
    let baseline = path("baseline.json");
    let created = check_update(Path::new(&baseline), &["--trials", "300"]);
    assert_eq!(created.status.code(), Some(0), "{}", text(&created));
    let check = |json: &str| defsim(&["check", BASE, "--baseline", &baseline, "--json", json]);
    let trace = |csv: &str| defsim(&["trace", BASE, "--trial", "2", "--csv", csv]);
    type Verb<'a> = &'a dyn Fn(&str) -> Output;
    let verbs: [(&str, Verb); 2] = [("verdict.json", &check), ("trace.csv", &trace)];
    for (name, verb) in verbs {
        let file = path(name);
        // New, then again over its own earlier version: a new inode each time.
        let r = verb(&file);
        assert_eq!(r.status.code(), Some(0), "{name}: {}", text(&r));
        let first = fs::metadata(&file).unwrap().ino();
        let bytes = fs::read(&file).unwrap();
        let r = verb(&file);
        assert_eq!(r.status.code(), Some(0), "{name}: {}", text(&r));
        assert_ne!(
            fs::metadata(&file).unwrap().ino(),
            first,
            "{name}: replaced by a rename, not rewritten in place"
        );
        assert_eq!(fs::read(&file).unwrap(), bytes, "{name}: the same content");
        // The user's file, a link to it and a folder: refused, untouched.
        let mine = path(&format!("mine-{name}"));
        fs::write(&mine, "precious\n").unwrap();
        let link = path(&format!("link-{name}"));
        std::os::unix::fs::symlink(&file, &link).unwrap();
        let folder = path(&format!("folder-{name}"));
        fs::create_dir(&folder).unwrap();
        for (target, says) in [
            (&mine, "is not a"),
            (&link, "symbolic link"),
            (&folder, "not a regular file"),
        ] {
            let before = snapshot(&dir);
            let r = verb(target);
            assert_eq!(r.status.code(), Some(2), "{name} {target}: {}", text(&r));
            let err = stderr(&r);
            assert!(err.contains(target.as_str()) && err.contains(says), "{err}");
            assert_eq!(snapshot(&dir), before, "{name} {target}: nothing changed");
        }
        assert_eq!(fs::read_to_string(&mine).unwrap(), "precious\n");
    }
    let mut left = names(&dir);
    left.retain(|n| n.starts_with('.'));
    assert!(left.is_empty(), "no staging file left: {left:?}");
}

/// `check --out DIR` replaces DIR whole, so a baseline or `--json` verdict named at DIR or
/// inside it is refused before anything runs (exit 2, naming both), with nothing written:
/// before, the folder was written and the file then refused, or the baseline replaced.
#[test]
fn check_refuses_a_baseline_or_verdict_inside_its_out_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let baseline = dir.join("baseline.json").display().to_string();
    let created = check_update(Path::new(&baseline), &["--trials", "300"]);
    assert_eq!(created.status.code(), Some(0), "{}", text(&created));
    let res = dir.join("res").display().to_string();
    let inside = dir.join("res").join("verdict.json").display().to_string();
    // `res/../res/summary.json` is the same place spelled another way.
    let spelled = format!("{res}/../res/summary.json");
    let cases: [(&[&str], &str); 4] = [
        (&["--baseline", &baseline, "--json", &res], res.as_str()),
        (
            &["--baseline", &baseline, "--json", &inside],
            inside.as_str(),
        ),
        (&["--baseline", &inside, "--update"], inside.as_str()),
        (&["--baseline", &spelled, "--update"], spelled.as_str()),
    ];
    for (rest, named) in cases {
        let before = snapshot(dir);
        let mut args = vec!["check", BASE, "--trials", "300", "--out", &res];
        args.extend_from_slice(rest);
        let r = defsim(&args);
        assert_eq!(r.status.code(), Some(2), "{rest:?}: {}", text(&r));
        let err = stderr(&r);
        assert!(
            err.contains(named) && err.contains("lies in --out"),
            "{rest:?}: {err}"
        );
        assert_eq!(snapshot(dir), before, "{rest:?}: nothing written");
    }
    // Beside the folder, not in it: both written.
    let beside = dir.join("verdict.json").display().to_string();
    succeeds(&[
        "check",
        BASE,
        "--baseline",
        &baseline,
        "--trials",
        "300",
        "--out",
        &res,
        "--json",
        &beside,
    ]);
    assert!(Path::new(&res).join("summary.json").is_file() && Path::new(&beside).is_file());
}
