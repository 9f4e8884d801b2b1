//! `--quiet` silences the status notes of shards, merges and resumed runs on standard error
//! (as it silences progress and tables), while the same commands without it still print them.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::{defsim, scenario};

fn run(args: &[&str], quiet: bool) -> Output {
    let mut c = defsim();
    c.args(args);
    if quiet {
        c.arg("--quiet");
    }
    let o = c.output().unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs `args` with `--quiet` (stdout and stderr empty) and without it (stderr has `note`).
fn quiet_and_not(args_of: impl Fn(&Path) -> Vec<String>, dir: &Path, note: &str) {
    for quiet in [true, false] {
        let d = dir.join(if quiet { "quiet" } else { "loud" });
        fs::create_dir_all(&d).unwrap();
        let args = args_of(&d);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(&args, quiet);
        let err = String::from_utf8_lossy(&o.stderr);
        if quiet {
            assert!(err.is_empty(), "{args:?} --quiet wrote to stderr: {err}");
            assert!(o.stdout.is_empty(), "{args:?} --quiet wrote to stdout");
        } else {
            assert!(err.contains(note), "{args:?}: no {note:?} note: {err}");
        }
    }
}

/// `merge` of the two parts in `d/parts` into `d/merged`, without plots.
fn merge_args(d: &Path) -> Vec<String> {
    let parts = d.join("parts");
    vec![
        "merge".into(),
        s(&parts.join("part-0-of-2.defsim")).into(),
        s(&parts.join("part-1-of-2.defsim")).into(),
        "--no-plots".into(),
        "--out".into(),
        s(&d.join("merged")).into(),
    ]
}

#[test]
fn quiet_run_shards_and_their_merge_print_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let base = scenario("baseline.toml");
    for k in 0..2 {
        let plan = format!("{k}/2");
        quiet_and_not(
            |d| {
                ["run", &base, "--trials", "9000", "--shard", &plan, "--out"]
                    .iter()
                    .map(|a| a.to_string())
                    .chain([d.join("parts").display().to_string()])
                    .collect()
            },
            tmp.path(),
            &format!("shard {k}/2: trials"),
        );
    }
    quiet_and_not(merge_args, tmp.path(), "merged 2 parts");
}

#[test]
fn quiet_explore_shards_and_their_merge_print_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = common::experiment_file(tmp.path(), "small", (5000, 3), &["plan.oversight"]);
    for k in 0..2 {
        let plan = format!("{k}/2");
        quiet_and_not(
            |d| {
                vec![
                    "explore".into(),
                    s(&exp).into(),
                    "--shard".into(),
                    plan.clone(),
                    "--out".into(),
                    s(&d.join("parts")).into(),
                ]
            },
            tmp.path(),
            &format!("explore shard {k}/2: trials"),
        );
    }
    quiet_and_not(merge_args, tmp.path(), "merged 2 explore parts");
}

/// A checkpoint of a checkpointed run killed (SIGKILL) after its first checkpoint, in `dir`;
/// retried in a new folder if the run ended before the kill (its checkpoint then removed).
fn killed_checkpoint(dir: &Path) -> PathBuf {
    for attempt in 0..5 {
        let out = dir.join(format!("cp{attempt}"));
        let checkpoint = dir.join(format!("cp{attempt}.checkpoint"));
        let base = Path::new(&scenario("baseline.toml")).to_path_buf();
        if common::kill_after_first_checkpoint(
            &base,
            &["--threads", "1", "--trials", "400000"],
            &out,
        ) {
            return checkpoint;
        }
    }
    panic!("no run was killed between its first checkpoint and its end in 5 attempts");
}

#[test]
fn quiet_resume_prints_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let checkpoint = killed_checkpoint(tmp.path());
    let invocation = fs::read(checkpoint.join("invocation.json")).unwrap();
    // Without --quiet the same resume says "resuming ..." (tests/scale.rs checks it).
    let o = run(&["run", "--resume", s(&checkpoint)], true);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.is_empty(), "--quiet resume wrote to stderr: {err}");
    assert!(o.stdout.is_empty(), "--quiet resume wrote to stdout");
    // The run's output folder is the checkpoint's name without `.checkpoint`.
    assert!(checkpoint.with_extension("").join("summary.json").exists());
    // A checkpoint folder killed before its first checkpoint (its invocation alone): the
    // resume starts the run again, and its note says so only without --quiet.
    for quiet in [true, false] {
        fs::create_dir(&checkpoint).unwrap();
        fs::write(checkpoint.join("invocation.json"), &invocation).unwrap();
        let o = run(&["run", "--resume", s(&checkpoint)], quiet);
        let err = String::from_utf8_lossy(&o.stderr);
        if quiet {
            assert!(
                err.is_empty(),
                "--quiet fresh resume wrote to stderr: {err}"
            );
        } else {
            assert!(
                err.contains("no checkpoint written yet; starting the run again"),
                "the fresh resume's note is missing: {err}"
            );
        }
    }
}
