//! Streaming, shards and merge, the Kubernetes manifest, checkpoints and precision stopping,
//! end to end.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use common::{defsim, names};
use proptest::prelude::*;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn baseline() -> String {
    root().join("scenarios/baseline.toml").display().to_string()
}

/// A local `run --streaming` of the baseline; returns its summary.json.
fn streaming_run(dir: &Path, trials: u64, seed: u64) -> Vec<u8> {
    let out = dir.join(format!("local-{trials}-{seed}"));
    if !out.join("summary.json").exists() {
        baseline_run(&out, trials, seed, &["--streaming", "--no-plots"]);
    }
    fs::read(out.join("summary.json")).unwrap()
}

/// Runs shard `k` of `n` into `parts`.
fn shard(parts: &Path, trials: u64, seed: u64, k: u64, n: u64) {
    baseline_run(parts, trials, seed, &["--shard", &format!("{k}/{n}")]);
}

/// `defsim run` of the baseline with `trials`, `seed` and `extra` into `out`; it must
/// succeed.
fn baseline_run(out: &Path, trials: u64, seed: u64, extra: &[&str]) {
    defsim()
        .args(["run", &baseline()])
        .args(["--trials", &trials.to_string(), "--seed", &seed.to_string()])
        .args(extra)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

/// The names in `dir`, sorted.
fn part(parts: &Path, k: u64, n: u64) -> PathBuf {
    parts.join(defsim::export::part::file_name(k, n))
}

/// Merges `files` into `out`; returns the exit code and stderr.
fn merge(files: &[PathBuf], out: &Path, no_plots: bool) -> (i32, String) {
    let mut cmd = defsim();
    cmd.arg("merge").args(files).arg("--out").arg(out);
    if no_plots {
        cmd.arg("--no-plots");
    }
    let o = cmd.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    /// Any sharding, merged in any order, gives the unsharded streaming run's bytes.
    #[test]
    fn any_sharding_merges_to_the_streaming_runs_bytes(
        n in 1u64..7,
        trials in 1u64..30_000,
        order in proptest::collection::vec(any::<u64>(), 7),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let seed = 3;
        let parts = dir.path().join("parts");
        for k in 0..n {
            shard(&parts, trials, seed, k, n);
        }
        let mut files: Vec<(u64, PathBuf)> =
            (0..n).map(|k| (order[k as usize], part(&parts, k, n))).collect();
        files.sort();
        let files: Vec<PathBuf> = files.into_iter().map(|f| f.1).collect();
        let out = dir.path().join("merged");
        let (code, err) = merge(&files, &out, true);
        prop_assert_eq!(code, 0, "{}", err);
        let merged = fs::read(out.join("summary.json")).unwrap();
        prop_assert!(merged == streaming_run(dir.path(), trials, seed), "summary.json differs");
    }
}

#[test]
fn merge_writes_the_whole_runs_outputs_and_says_what_it_merged() {
    let dir = tempfile::tempdir().unwrap();
    let parts = dir.path().join("parts");
    for k in 0..3 {
        shard(&parts, 20_000, 9, k, 3);
    }
    // Only the parts and their manifest are in the shared folder.
    assert_eq!(
        names(&parts),
        [
            ".defsim-output",
            "part-0-of-3.defsim",
            "part-1-of-3.defsim",
            "part-2-of-3.defsim"
        ]
    );
    let files: Vec<PathBuf> = (0..3).map(|k| part(&parts, k, 3)).collect();
    let out = dir.path().join("merged");
    let (code, err) = merge(&files, &out, false);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("merged 3 parts (20000 trials, seed 9)"),
        "{err}"
    );
    for f in [
        "summary.json",
        "summary.csv",
        "timeseries.csv",
        "report.html",
        "run.json",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    assert!(out.join("plots/dashboard.png").exists());
    assert!(out.join("plots/hist_independence.svg").exists());
    let summary: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["quantiles"]["method"], "sketch");
    assert_eq!(summary["trials"], 20000);
    assert!(summary["extremes"]["independence"]["median_trial"].is_null());
    assert!(summary["extremes"]["independence"]["max_trial"].is_u64());
}

#[test]
fn bad_parts_are_refused_by_name_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let parts = dir.path().join("parts");
    for k in 0..3 {
        shard(&parts, 12_000, 4, k, 3);
    }
    let other = dir.path().join("other");
    shard(&other, 12_000, 5, 1, 3); // another seed
    let good: Vec<PathBuf> = (0..3).map(|k| part(&parts, k, 3)).collect();
    let bytes = fs::read(&good[1]).unwrap();
    let truncated = dir.path().join("truncated.defsim");
    fs::write(&truncated, &bytes[..bytes.len() - 100]).unwrap();
    let corrupted = dir.path().join("corrupted.defsim");
    let mut flipped = bytes.clone();
    let last = flipped.len() - 10;
    flipped[last] ^= 0x40;
    fs::write(&corrupted, &flipped).unwrap();
    let not_a_part = dir.path().join("notes.defsim");
    fs::write(&not_a_part, "hello\n").unwrap();

    let cases: Vec<(Vec<PathBuf>, String)> = vec![
        (
            vec![good[0].clone(), good[2].clone()],
            "missing part of the 3 shards: part-1-of-3.defsim".into(),
        ),
        (
            vec![
                good[0].clone(),
                good[1].clone(),
                good[1].clone(),
                good[2].clone(),
            ],
            format!("part 1 of 3 given twice: {}", good[1].display()),
        ),
        (
            vec![good[0].clone(), part(&other, 1, 3), good[2].clone()],
            format!(
                "{}: a part of another run: its seed is 5, not 4",
                part(&other, 1, 3).display()
            ),
        ),
        (
            vec![good[0].clone(), truncated.clone(), good[2].clone()],
            format!("{}: truncated", truncated.display()),
        ),
        (
            vec![good[0].clone(), corrupted.clone(), good[2].clone()],
            format!("{}: corrupted", corrupted.display()),
        ),
        (
            vec![good[0].clone(), not_a_part.clone(), good[2].clone()],
            format!("{}: not a defsim part", not_a_part.display()),
        ),
    ];
    let out = dir.path().join("merged");
    for (files, expected) in cases {
        let (code, err) = merge(&files, &out, true);
        assert_eq!(code, 2, "{expected}: {err}");
        assert!(err.contains(&expected), "expected `{expected}` in: {err}");
        assert!(!out.exists(), "{expected}: something was written");
    }
}

#[test]
fn shard_and_precision_options_are_checked() {
    let s = baseline();
    for args in [
        vec!["run", &s, "--shard", "4/4"],
        vec!["run", &s, "--shard", "x"],
        vec!["run", &s, "--shard", "0/2", "--precision", "viable=0.01"],
        vec!["run", &s, "--precision", "viable=0.01", "--design", "lhs"],
        vec!["run", &s, "--precision", "nope=0.01"],
        vec!["run", &s, "--precision", "viable=-1"],
        vec!["run", &s, "--shard", "0/2", "--checkpoint"],
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("o");
        defsim().args(&args).arg("--out").arg(&out).assert().code(2);
        assert!(!out.exists(), "{args:?}");
    }
    // --help of run says it takes --shard; the verbs that do not say so.
    let help = defsim().args(["help", "run"]).output().unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("--shard"));
    let top = defsim().arg("--help").output().unwrap();
    let top = String::from_utf8_lossy(&top.stdout).to_string();
    assert!(top.contains("Takes --shard"), "{top}");
    assert!(top.matches("does not take --shard").count() >= 5, "{top}");
}

#[test]
fn precision_stops_when_the_target_is_met_and_says_so_when_the_cap_comes_first() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("p");
    defsim()
        .args(["run", &baseline(), "--no-plots", "--trials", "2000000"])
        .args(["--precision", "viable=0.005", "--out"])
        .arg(&out)
        .assert()
        .success();
    let s: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    let p = &s["precision"];
    assert_eq!(p["reached"], true);
    let trials = s["trials"].as_u64().unwrap();
    assert_eq!(p["trials"].as_u64().unwrap(), trials);
    assert!((10 * 4096..2_000_000).contains(&trials), "{trials}");
    assert!(p["targets"][0]["half_width"].as_f64().unwrap() <= 0.005);
    // Stopping is deterministic: the same run stops at the same trial count, same bytes.
    let again = dir.path().join("q");
    defsim()
        .args([
            "run",
            &baseline(),
            "--no-plots",
            "--trials",
            "2000000",
            "--threads",
            "1",
        ])
        .args(["--precision", "viable=0.005", "--out"])
        .arg(&again)
        .assert()
        .success();
    assert!(
        fs::read(out.join("summary.json")).unwrap()
            == fs::read(again.join("summary.json")).unwrap()
    );

    // A cap reached first: exit 0, a warning, the report says so.
    let capped = dir.path().join("c");
    let o = defsim()
        .args(["run", &baseline(), "--no-plots", "--trials", "50000"])
        .args(["--precision", "viable=0.0001", "--out"])
        .arg(&capped)
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("warning: the precision target was not reached")
    );
    let s: serde_json::Value =
        serde_json::from_slice(&fs::read(capped.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["precision"]["reached"], false);
    assert_eq!(s["trials"], 50000);
}

/// The Kubernetes manifest's commands, run locally once per completion index as Kubernetes
/// would (JOB_COMPLETION_INDEX set), then the merge Job's, give the local streaming bytes.
#[test]
fn kubernetes_indexed_job_and_merge_job_reproduce_the_streaming_run() {
    let text = fs::read_to_string(root().join("deploy/k8s/defsim-indexed-job.yaml")).unwrap();
    let docs: Vec<serde_yaml::Value> = serde_yaml::Deserializer::from_str(&text)
        .map(|d| serde::Deserialize::deserialize(d).unwrap())
        .collect();
    let job = |name: &str| {
        docs.iter()
            .find(|d| d["kind"] == "Job" && d["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("no Job {name}"))
            .clone()
    };
    let shards = job("defsim-shards");
    assert_eq!(shards["spec"]["completionMode"], "Indexed");
    let completions = shards["spec"]["completions"].as_u64().unwrap();
    let merge_job = job("defsim-merge");
    assert!(
        docs.iter().any(|d| d["kind"] == "PersistentVolumeClaim"),
        "a shared volume"
    );
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    fs::create_dir_all(&data).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("defsim");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // The image's paths, mapped as the container would see them: the shared volume at its
    // mountPath, the scenarios the Dockerfile copies to /opt/defsim/scenarios.
    let local = |command: &str, mount: &str| {
        command
            .replace(mount, &data.display().to_string())
            .replace(
                "/opt/defsim/scenarios",
                &root().join("scenarios").display().to_string(),
            )
            .replace("--trials 1000000", "--trials 30000")
    };
    let container =
        |job: &serde_yaml::Value| job["spec"]["template"]["spec"]["containers"][0].clone();
    let command = |c: &serde_yaml::Value| -> Vec<String> {
        c["command"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let shard_container = container(&shards);
    let mount = shard_container["volumeMounts"][0]["mountPath"]
        .as_str()
        .unwrap()
        .to_string();
    let cmd = command(&shard_container);
    assert_eq!(&cmd[..2], ["sh", "-c"]);
    assert!(cmd[2].contains("$JOB_COMPLETION_INDEX"));
    assert!(
        cmd[2].contains("--trials 1000000"),
        "the test scales the trial count down"
    );
    for index in 0..completions {
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(local(&cmd[2], &mount))
            .env("JOB_COMPLETION_INDEX", index.to_string())
            .env("PATH", &path)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "index {index}");
    }
    let merge_cmd = command(&container(&merge_job));
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(local(&merge_cmd[2], &mount))
        .env("PATH", &path)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let merged = fs::read(data.join("out/summary.json")).unwrap();
    assert!(
        merged == streaming_run(dir.path(), 30_000, 20250117),
        "summary.json differs"
    );
}

/// A checkpointed run killed (SIGKILL) at random moments and resumed each time ends with the
/// bytes of an uninterrupted run.
#[test]
fn a_run_killed_at_random_moments_and_resumed_gives_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let trials = 400_000u64;
    let expected = streaming_run(dir.path(), trials, 8);
    let out = dir.path().join("cp");
    let checkpoint = dir.path().join("cp.checkpoint");
    let bin = assert_cmd::cargo::cargo_bin("defsim");
    // Deterministic "random" kill times from a fixed seed (between 0.2 and 1.4 s).
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut kills = 0;
    let mut first = true;
    loop {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let wait = 200 + (state >> 33) % 1200;
        let mut cmd = std::process::Command::new(&bin);
        if first {
            cmd.args([
                "run",
                &baseline(),
                "--checkpoint",
                "--checkpoint-seconds",
                "0.2",
            ])
            .args([
                "--no-plots",
                "--trials",
                &trials.to_string(),
                "--seed",
                "8",
                "--out",
            ])
            .arg(&out);
        } else {
            cmd.arg("run").arg("--resume").arg(&checkpoint);
        }
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        if first {
            // The random moment counts from the checkpoint's creation: a kill before it would
            // leave nothing to resume (a slow start on a loaded machine is not the test).
            let invocation = checkpoint.join("invocation.json");
            common::wait_until(600, Duration::from_millis(50), || {
                invocation.exists() || child.try_wait().unwrap().is_some()
            });
            assert!(invocation.exists(), "the checkpoint was never created");
        }
        first = false;
        if kills == 4 {
            // Enough interruptions: let the last resume finish.
            assert!(child.wait().unwrap().success());
            break;
        }
        std::thread::sleep(Duration::from_millis(wait));
        if child.try_wait().unwrap().is_some() {
            break;
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        kills += 1;
        assert!(checkpoint.join("invocation.json").exists());
    }
    assert!(kills >= 1, "the run was never killed: make it longer");
    assert!(
        !checkpoint.exists(),
        "the checkpoint is removed after success"
    );
    assert!(
        fs::read(out.join("summary.json")).unwrap() == expected,
        "summary.json differs after {kills} kills"
    );
}

#[test]
fn a_checkpoint_of_another_scenario_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cp");
    let checkpoint = dir.path().join("cp.checkpoint");
    // Make a checkpoint by hand: a run whose scenario then changes on disk.
    let scenario = dir.path().join("s.toml");
    fs::copy(root().join("scenarios/baseline.toml"), &scenario).unwrap();
    assert!(
        common::kill_after_first_checkpoint(&scenario, &["--trials", "3000000"], &out),
        "no checkpoint was written"
    );
    let text = fs::read_to_string(&scenario).unwrap();
    fs::write(
        &scenario,
        text.replacen("trials = 100000", "trials = 100001", 1),
    )
    .unwrap();
    let o = defsim()
        .arg("run")
        .arg("--resume")
        .arg(&checkpoint)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("another scenario"), "{err}");
    assert!(!out.exists());
}

/// `check` re-runs a streaming run's baseline in streaming mode (sketch quantiles): the same
/// bytes with `--exact`.
#[test]
fn check_reruns_a_streaming_baseline_in_streaming_mode() {
    let dir = tempfile::tempdir().unwrap();
    let summary = streaming_run(dir.path(), 20_000, 6);
    let file = dir.path().join("baseline.json");
    fs::write(&file, &summary).unwrap();
    defsim()
        .args(["check", &baseline(), "--exact", "--baseline"])
        .arg(&file)
        .assert()
        .success();
}

/// A run with both trial tables: `extra` arguments, into `out`.
fn tables_run(out: &Path, trials: u64, extra: &[&str]) -> std::process::Output {
    defsim()
        .args([
            "run",
            &baseline(),
            "--no-plots",
            "--trials-csv",
            "--trials-parquet",
        ])
        .args(["--trials", &trials.to_string(), "--seed", "12"])
        .args(extra)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

/// Shards carry their trials' rows; merge writes trials.csv and trials.parquet byte for byte
/// as the unsharded run (streaming, and in memory) writes them; a part whose rows are
/// corrupted, or a part of a run without trial tables, is refused by name.
#[test]
fn shards_carry_their_trial_rows_and_merge_writes_the_unsharded_tables() {
    let dir = tempfile::tempdir().unwrap();
    let trials = 150_000; // more than one Parquet row group (131,072 trials)
    let whole = dir.path().join("whole");
    assert!(
        tables_run(&whole, trials, &["--streaming"])
            .status
            .success()
    );
    let memory = dir.path().join("memory");
    assert!(tables_run(&memory, trials, &[]).status.success());
    for table in ["trials.csv", "trials.parquet"] {
        assert!(
            fs::read(whole.join(table)).unwrap() == fs::read(memory.join(table)).unwrap(),
            "{table}: streaming and in-memory runs differ"
        );
    }
    let parts = dir.path().join("parts");
    let n = 4;
    for k in [3, 0, 2, 1] {
        let o = tables_run(&parts, trials, &["--shard", &format!("{k}/{n}")]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let files: Vec<PathBuf> = [2, 0, 3, 1].iter().map(|&k| part(&parts, k, n)).collect();
    let out = dir.path().join("merged");
    let (code, err) = merge(&files, &out, true);
    assert_eq!(code, 0, "{err}");
    for f in ["summary.json", "trials.csv", "trials.parquet"] {
        assert!(
            fs::read(out.join(f)).unwrap() == fs::read(whole.join(f)).unwrap(),
            "{f}: the merge differs from the unsharded run"
        );
    }

    // A flipped byte in a part's rows, a part without rows: refused, nothing written.
    let bytes = fs::read(&files[1]).unwrap();
    let corrupted = dir.path().join("corrupted.defsim");
    let mut flipped = bytes.clone();
    let at = flipped.len() - 1000;
    flipped[at] ^= 1;
    fs::write(&corrupted, &flipped).unwrap();
    let plain = dir.path().join("plain");
    defsim()
        .args(["run", &baseline(), "--shard", "1/4", "--seed", "12"])
        .args(["--trials", &trials.to_string(), "--out"])
        .arg(&plain)
        .assert()
        .success();
    let out = dir.path().join("refused");
    for (bad, expected) in [
        (
            corrupted.clone(),
            format!("{}: corrupted", corrupted.display()),
        ),
        (
            part(&plain, 1, 4),
            format!(
                "{}: a part of another run: its run writes no trial table, not trials.csv and \
                 trials.parquet",
                part(&plain, 1, 4).display()
            ),
        ),
    ] {
        let mut given = files.clone();
        given[3] = bad;
        let (code, err) = merge(&given, &out, true);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(&expected), "expected `{expected}` in: {err}");
        assert!(!out.exists());
    }
}

/// The shared folder of parts is defsim's: a manifest created by the first shard lists the
/// parts of its run; a file defsim did not write, a folder of another sharding, a non-empty
/// folder without a manifest are refused by name (exit 2, no part written); a concurrent
/// shard's staging file is left alone; merge will not write over the parts.
#[test]
fn the_shared_folder_of_parts_holds_only_defsims_parts() {
    let dir = tempfile::tempdir().unwrap();
    let run_shard = |parts: &Path, k: u64, n: u64| {
        defsim()
            .args(["run", &baseline(), "--shard", &format!("{k}/{n}")])
            .args(["--trials", "9000", "--out"])
            .arg(parts)
            .output()
            .unwrap()
    };
    let parts = dir.path().join("parts");
    // Another shard of this run is writing (a live process's staging file: this one's).
    fs::create_dir(&parts).unwrap();
    let host = fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .replace(['/', '.'], "_");
    let busy = format!(
        ".part-1-of-2.defsim.defsim-staging.{host}.{}.0123456789abcdef",
        std::process::id()
    );
    fs::write(parts.join(&busy), "half a part").unwrap();
    assert!(run_shard(&parts, 0, 2).status.success());
    assert_eq!(
        names(&parts),
        [".defsim-output", &busy, "part-0-of-2.defsim"]
    );
    fs::remove_file(parts.join(&busy)).unwrap();
    assert!(run_shard(&parts, 1, 2).status.success());
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(parts.join(".defsim-output")).unwrap()).unwrap();
    assert_eq!(
        manifest["files"],
        serde_json::json!(["part-0-of-2.defsim", "part-1-of-2.defsim"])
    );

    let refused = |parts: &Path, k: u64, n: u64, expected: &str| {
        let before = names(parts);
        let o = run_shard(parts, k, n);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(expected), "expected `{expected}` in: {err}");
        assert_eq!(names(parts), before, "something was written");
    };
    // Another sharding of another run.
    refused(&parts, 0, 3, "holds the outputs of another defsim run");
    // A file of the user's.
    fs::write(parts.join("notes.txt"), "mine").unwrap();
    refused(
        &parts,
        0,
        2,
        "holds files defsim did not write: `notes.txt`",
    );
    fs::remove_file(parts.join("notes.txt")).unwrap();
    // A folder without a manifest that is not empty.
    let theirs = dir.path().join("theirs");
    fs::create_dir(&theirs).unwrap();
    fs::write(theirs.join("data.csv"), "1,2").unwrap();
    refused(&theirs, 0, 2, "is not a defsim output folder");
    // merge --out the parts' folder.
    let files: Vec<PathBuf> = (0..2).map(|k| part(&parts, k, 2)).collect();
    let (code, err) = merge(&files, &parts, true);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--out is the folder of the parts"), "{err}");
    assert!(part(&parts, 0, 2).exists());
}

/// SIGINT and SIGTERM stop a checkpointed run after writing its checkpoint (trial rows
/// included), exit 130 and leave no staging; resumed, it ends with the bytes of an
/// uninterrupted run. Checkpoints are otherwise never written here (a period of 10^9 s), so
/// the checkpoint found is the one the signal caused.
#[test]
fn an_interrupted_checkpointed_run_writes_its_checkpoint_and_resumes_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let trials = 300_000u64;
    let whole = dir.path().join("whole");
    assert!(
        tables_run(&whole, trials, &["--streaming"])
            .status
            .success()
    );
    let bin = assert_cmd::cargo::cargo_bin("defsim");
    for signal in [rustix::process::Signal::INT, rustix::process::Signal::TERM] {
        let area = dir.path().join(format!("{signal:?}"));
        fs::create_dir(&area).unwrap();
        let out = area.join("cp");
        let checkpoint = area.join("cp.checkpoint");
        let child = std::process::Command::new(&bin)
            .args([
                "run",
                &baseline(),
                "--no-plots",
                "--trials-csv",
                "--trials-parquet",
            ])
            .args([
                "--trials",
                &trials.to_string(),
                "--seed",
                "12",
                "--checkpoint",
            ])
            .args(["--checkpoint-seconds", "1e9", "--out"])
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The checkpoint folder exists once the run handles signals itself.
        let invocation = checkpoint.join("invocation.json");
        common::wait_until(3000, Duration::from_millis(5), || {
            invocation.exists() && common::catches_interrupts(child.id())
        });
        assert!(invocation.exists(), "the checkpoint was never created");
        let pid = rustix::process::Pid::from_child(&child);
        rustix::process::kill_process(pid, signal).unwrap();
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(130), "{signal:?}: {err}");
        assert!(err.contains("checkpoint written"), "{err}");
        assert!(checkpoint.join("checkpoint.defsim").exists(), "{err}");
        assert_eq!(names(&area), ["cp.checkpoint"], "no output, no staging");
        let o = defsim()
            .arg("run")
            .arg("--resume")
            .arg(&checkpoint)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stderr).contains("resuming"));
        assert!(!checkpoint.exists());
        for f in ["summary.json", "trials.csv", "trials.parquet"] {
            assert!(
                fs::read(out.join(f)).unwrap() == fs::read(whole.join(f)).unwrap(),
                "{signal:?}: {f} differs after the resume"
            );
        }
    }
}

/// Shards of a run with `--set` overrides merge to the bytes of the unsharded streaming run
/// with the same overrides, which the merged summary.json records.
#[test]
fn shards_with_overrides_merge_to_the_unsharded_run_with_them() {
    let dir = tempfile::tempdir().unwrap();
    let set = [
        "--set",
        "plan.oversight=0.7",
        "--set",
        "plan.capex_scale=0.8",
    ];
    let parts = dir.path().join("parts");
    let seed = 20250117; // the baseline's own
    for k in 0..3 {
        let plan = format!("{k}/3");
        baseline_run(
            &parts,
            20_000,
            seed,
            &[&["--shard", plan.as_str()], &set[..]].concat(),
        );
    }
    let whole = dir.path().join("whole");
    baseline_run(
        &whole,
        20_000,
        seed,
        &[&["--streaming", "--no-plots"], &set[..]].concat(),
    );
    let out = dir.path().join("merged");
    let files: Vec<PathBuf> = (0..3).map(|k| part(&parts, k, 3)).collect();
    let (code, err) = merge(&files, &out, true);
    assert_eq!(code, 0, "{err}");
    let merged = fs::read(out.join("summary.json")).unwrap();
    assert!(merged == fs::read(whole.join("summary.json")).unwrap());
    let summary: serde_json::Value = serde_json::from_slice(&merged).unwrap();
    let overrides = &summary["scenario"]["overrides"];
    assert_eq!(overrides[0]["key"], "plan.oversight");
    assert_eq!(overrides[1]["value"], "0.8");
    assert_eq!(overrides[0]["source"], "--set");
    let run: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(&run["overrides"], overrides);
}

/// SIGINT during a shard removes its staging files (the rows kept so far, a half-written
/// part) and exits 130; the folder keeps only its manifest.
#[test]
fn an_interrupted_shard_leaves_only_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let parts = dir.path().join("parts");
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("defsim"))
        .args(["run", &baseline(), "--shard", "0/1", "--trials", "2000000"])
        .args(["--trials-csv", "--out"])
        .arg(&parts)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The shard keeps its rows in a staging file from its start.
    let staging = || {
        parts.exists()
            && names(&parts)
                .iter()
                .any(|n| n.starts_with(".part-0-of-1.defsim.defsim-staging."))
    };
    // ... and catches SIGINT: signalled before, it would die by the default action.
    let ready = || staging() && common::catches_interrupts(child.id());
    common::wait_until(3000, Duration::from_millis(5), ready);
    assert!(staging(), "the shard never started keeping its rows");
    let pid = rustix::process::Pid::from_child(&child);
    rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(names(&parts), [".defsim-output"]);
}
