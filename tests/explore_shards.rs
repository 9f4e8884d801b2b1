//! `explore --shard K/N` and `defsim merge` of explore parts: the merged experiment is the
//! unsharded one byte for byte, and parts that do not belong together are refused by name
//! (exit 2) with nothing written.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{defsim, snapshot};

/// The experiment of these tests: both plan levers at 0 and 1 (4 policies).
fn experiment(dir: &Path, name: &str, trials: u64, seed: u64) -> PathBuf {
    common::experiment_file(
        dir,
        name,
        (trials, seed),
        &["plan.captive_power_share", "plan.oversight"],
    )
}

fn run(args: &[&str]) -> std::process::Output {
    defsim().args(args).output().unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs shard `k` of `n` of `exp` into `parts` and returns the part's path.
fn shard(exp: &Path, parts: &Path, k: u64, n: u64, extra: &[&str]) -> PathBuf {
    let plan = format!("{k}/{n}");
    let mut args = vec!["explore", s(exp), "--shard", &plan, "--out", s(parts)];
    args.extend(extra);
    let o = run(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&format!("explore shard {k}/{n}")), "{err}");
    parts.join(format!("part-{k}-of-{n}.defsim"))
}

fn merge(parts: &[PathBuf], out: &Path) -> std::process::Output {
    let mut args = vec!["merge"];
    args.extend(parts.iter().map(|p| s(p)));
    args.extend(["--out", s(out)]);
    run(&args)
}

/// Three shards, merged in a shuffled order, give the unsharded experiment's files byte for
/// byte: explore.json, policies.csv, the plots and explore.html.
#[test]
fn three_explore_shards_merge_to_the_unsharded_experiments_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    // 9,000 trials: three blocks of 4,096, the last one partial.
    let exp = experiment(tmp.path(), "small", 9000, 17);
    let whole = tmp.path().join("whole");
    let o = run(&["explore", s(&exp), "--out", s(&whole)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let parts_dir = tmp.path().join("parts");
    let parts: Vec<PathBuf> = (0..3).map(|k| shard(&exp, &parts_dir, k, 3, &[])).collect();
    let merged = tmp.path().join("merged");
    let o = merge(
        &[parts[2].clone(), parts[0].clone(), parts[1].clone()],
        &merged,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("merged 3 explore parts"),
        "merge says what it merged"
    );
    let (a, b) = (snapshot(&whole), snapshot(&merged));
    for f in [
        "explore.json",
        "policies.csv",
        "explore.html",
        "plots/pareto.svg",
    ] {
        assert!(a.contains_key(Path::new(f)), "{f} written");
    }
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (name, bytes) in &a {
        assert!(&b[name] == bytes, "{} differs", name.display());
    }

    // A sharding into more parts than blocks leaves some shards empty; it still merges.
    let many = tmp.path().join("many");
    let parts: Vec<PathBuf> = (0..5)
        .map(|k| shard(&exp, &many, k, 5, &["--seed", "17"]))
        .collect();
    let merged5 = tmp.path().join("merged5");
    let o = merge(&parts, &merged5);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in ["explore.json", "policies.csv"] {
        assert_eq!(
            fs::read(whole.join(f)).unwrap(),
            fs::read(merged5.join(f)).unwrap(),
            "{f}"
        );
    }
}

/// Parts that do not make one experiment: exit 2 naming the part (or the changed experiment
/// file), nothing written.
#[test]
fn explore_parts_that_do_not_belong_together_are_refused_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = experiment(tmp.path(), "small", 5000, 3);
    let parts_dir = tmp.path().join("parts");
    let good: Vec<PathBuf> = (0..2).map(|k| shard(&exp, &parts_dir, k, 2, &[])).collect();
    let other_seed = shard(&exp, &tmp.path().join("seed"), 1, 2, &["--seed", "4"]);
    let other_exp = experiment(tmp.path(), "other", 5000, 3);
    let foreign = shard(&other_exp, &tmp.path().join("other"), 1, 2, &[]);
    let runs = tmp.path().join("runs");
    let o = run(&[
        "run",
        &common::scenario("baseline.toml"),
        "--trials",
        "5000",
        "--shard",
        "1/2",
        "--out",
        s(&runs),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let run_part = runs.join("part-1-of-2.defsim");
    let bytes = fs::read(&good[1]).unwrap();
    let corrupted = tmp.path().join("corrupted.defsim");
    let mut flipped = bytes.clone();
    let at = flipped.len() - 9;
    flipped[at] ^= 0x10;
    fs::write(&corrupted, &flipped).unwrap();
    let truncated = tmp.path().join("truncated.defsim");
    fs::write(&truncated, &bytes[..bytes.len() - 50]).unwrap();

    let out = tmp.path().join("merged");
    let cases: Vec<(Vec<PathBuf>, String)> = vec![
        (
            vec![good[0].clone()],
            "missing part of the 2 explore shards: part-1-of-2.defsim".into(),
        ),
        (
            vec![good[0].clone(), good[1].clone(), good[1].clone()],
            format!("part 1 of 2 given twice: {}", good[1].display()),
        ),
        (
            vec![good[0].clone(), other_seed.clone()],
            format!(
                "{}: a part of another experiment: its seed is 4, not 3",
                other_seed.display()
            ),
        ),
        (
            vec![good[0].clone(), foreign.clone()],
            format!(
                "{}: a part of another experiment: its experiment is other",
                foreign.display()
            ),
        ),
        (
            vec![good[0].clone(), run_part.clone()],
            format!(
                "{}: a part of `defsim run --shard`, while {} is a part of `defsim explore \
                 --shard`",
                run_part.display(),
                good[0].display()
            ),
        ),
        (
            vec![run_part.clone(), good[0].clone()],
            format!("{}: a part of `defsim explore --shard`", good[0].display()),
        ),
        (
            vec![good[0].clone(), corrupted.clone()],
            format!("{}: corrupted", corrupted.display()),
        ),
        (
            vec![good[0].clone(), truncated.clone()],
            format!("{}: truncated", truncated.display()),
        ),
    ];
    for (files, expected) in cases {
        let o = merge(&files, &out);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{expected}: {err}");
        assert!(err.contains(&expected), "expected `{expected}` in: {err}");
        assert!(!out.exists(), "{expected}: something was written");
    }

    // The experiment file changed after the shards ran: the parts no longer describe it.
    let text = fs::read_to_string(&exp).unwrap();
    fs::write(&exp, text.replace("target = 0.1", "target = 0.2")).unwrap();
    let o = merge(&good, &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("the experiment file changed since the shards ran"),
        "{err}"
    );
    assert!(err.contains("small.toml"), "names the file: {err}");
    assert!(!out.exists(), "nothing written");
    // Put back, it merges; into the parts' own folder it does not.
    fs::write(&exp, text).unwrap();
    let o = merge(&good, &parts_dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--out is the folder of the parts"));
    let o = merge(&good, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// On a machine where the experiment file is not at the path the parts record (another
/// mount point), `merge --experiment FILE` points at it: the same file (by SHA-256) merges
/// to the same bytes; another file is exit 2 naming it, with nothing written; without
/// `--experiment` the message says to give it; run parts take no `--experiment`.
#[test]
fn a_moved_experiment_merges_with_experiment_file() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = experiment(tmp.path(), "small", 5000, 3);
    let parts_dir = tmp.path().join("parts");
    let parts: Vec<PathBuf> = (0..2).map(|k| shard(&exp, &parts_dir, k, 2, &[])).collect();
    let here = tmp.path().join("here");
    let o = merge(&parts, &here);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // The experiment moves (its scenario path is absolute, so it still resolves).
    let elsewhere = tmp.path().join("mnt");
    fs::create_dir(&elsewhere).unwrap();
    let moved = elsewhere.join("small.toml");
    fs::rename(&exp, &moved).unwrap();
    let out = tmp.path().join("out");
    let o = merge(&parts, &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(s(&exp)) && err.contains("--experiment FILE"),
        "{err}"
    );
    assert!(!out.exists(), "nothing written");
    // A folder where the experiment was: it cannot be read, which is not "another
    // experiment" either.
    fs::create_dir(&exp).unwrap();
    let o = merge(&parts, &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(s(&exp))
            && err.contains("the experiment file the parts record cannot be read"),
        "{err}"
    );
    assert!(!err.contains("loaded again"), "{err}");
    assert!(!out.exists(), "nothing written");
    fs::remove_dir(&exp).unwrap();

    let with = |file: &Path, parts: &[PathBuf]| {
        let mut args = vec!["merge"];
        args.extend(parts.iter().map(|p| s(p)));
        args.extend(["--out", s(&out), "--experiment", s(file)]);
        run(&args)
    };
    let o = with(&moved, &parts);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (a, b) = (snapshot(&here), snapshot(&out));
    assert!(a.contains_key(Path::new("explore.json")));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, bytes) in &a {
        assert!(&b[name] == bytes, "{} differs", name.display());
    }
    fs::remove_dir_all(&out).unwrap();

    // Another file: exit 2 naming it and both SHA-256s, nothing written.
    let text = fs::read_to_string(&moved).unwrap();
    let edited = elsewhere.join("edited.toml");
    fs::write(&edited, text.replace("target = 0.1", "target = 0.2")).unwrap();
    let o = with(&edited, &parts);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(s(&edited)) && err.contains("its SHA-256 is"),
        "{err}"
    );
    assert!(err.contains("not the experiment the parts"), "{err}");
    assert!(!out.exists(), "nothing written");
    // A file that is not there, or not an experiment: exit 2 naming it.
    let missing = elsewhere.join("missing.toml");
    let o = with(&missing, &parts);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(s(&missing)) && err.contains("cannot be read"),
        "{err}"
    );
    assert!(
        !err.contains("not the experiment the parts"),
        "a missing file is not another experiment: {err}"
    );
    assert!(!out.exists(), "nothing written");

    // Run parts have no experiment file.
    let run_parts = tmp.path().join("run-parts");
    for k in 0..2 {
        let plan = format!("{k}/2");
        let o = run(&[
            "run",
            &common::scenario("baseline.toml"),
            "--trials",
            "3000",
            "--shard",
            &plan,
            "--out",
            s(&run_parts),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let run_parts: Vec<PathBuf> = (0..2)
        .map(|k| run_parts.join(format!("part-{k}-of-2.defsim")))
        .collect();
    let o = with(&moved, &run_parts);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--experiment is for the parts of `defsim explore"),
        "{err}"
    );
    assert!(!out.exists(), "nothing written");
}

/// A shard refuses a shard plan out of range and a folder that is not defsim's before it
/// simulates.
#[test]
fn explore_shard_options_are_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = experiment(tmp.path(), "small", 2000, 3);
    let o = run(&["explore", s(&exp), "--shard", "2/2"]);
    assert_eq!(o.status.code(), Some(2));
    let mine = tmp.path().join("mine");
    fs::create_dir(&mine).unwrap();
    fs::write(mine.join("notes.txt"), "mine").unwrap();
    let o = run(&["explore", s(&exp), "--shard", "0/2", "--out", s(&mine)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("notes.txt"));
    assert_eq!(common::names(&mine), vec!["notes.txt"]);
}
