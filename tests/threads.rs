//! `--threads N` keeps a verb (run, explore, merge, compare, sweep, sensitivity, discover,
//! check) wholly on N worker threads: not only the simulation (whose
//! engine builds its own pool) but the statistics, drivers and plots around it too.
//!
//! rayon starts its global pool (one thread per core) the first time anything runs on it,
//! and it can then no longer be configured: `build_global` fails. So after the verbs ran in
//! this process with `--threads 1`, `build_global` succeeds only if nothing of theirs ran
//! on the global pool, i.e. escaped the pool of one thread. This file holds one test, so no
//! other test of this process touches rayon first.

mod common;

use std::path::{Path, PathBuf};

use clap::Parser as _;
use defsim::cli::{Cli, Command};

use common::{defsim, snapshot};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs the binary; it must succeed.
fn ok(args: &[&str]) {
    let o = defsim().args(args).output().unwrap();
    assert!(
        o.status.success(),
        "defsim {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Runs `defsim ARGS` in this process (as `main` does, without its exit codes).
fn in_process(args: &[&str]) {
    let cli = Cli::try_parse_from(std::iter::once("defsim").chain(args.iter().copied()))
        .unwrap_or_else(|e| panic!("defsim {args:?}: {e}"));
    let result = match &cli.command {
        Command::Run(a) => defsim::app::run(a),
        Command::Explore(a) => defsim::app::explore(a),
        Command::Merge(a) => defsim::app::merge(a),
        Command::Compare(a) => defsim::app::compare(a),
        Command::Sweep(a) => defsim::app::sweep(a),
        Command::Sensitivity(a) => defsim::app::sensitivity(a),
        Command::Discover(a) => defsim::app::discover(a),
        Command::Check(a) => defsim::app::check(a),
        other => panic!("not a verb of this test: {other:?}"),
    };
    result.unwrap_or_else(|e| panic!("defsim {args:?}: {e:#}"));
}

/// A small experiment (4 policies) on the baseline in `dir`.
fn experiment(dir: &Path) -> PathBuf {
    common::experiment_file(
        dir,
        "small",
        (3000, 5),
        &["plan.captive_power_share", "plan.oversight"],
    )
}

#[test]
fn verbs_with_threads_1_never_start_the_global_pool() {
    defsim::out::set_quiet(true);
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let baseline = common::scenario("baseline.toml");
    let exp = experiment(t);
    // Parts, by other processes.
    let (runs, explores) = (t.join("run-parts"), t.join("explore-parts"));
    for k in 0..2 {
        let plan = format!("{k}/2");
        ok(&[
            "run",
            &baseline,
            "--trials",
            "6000",
            "--shard",
            &plan,
            "--out",
            s(&runs),
        ]);
        ok(&["explore", s(&exp), "--shard", &plan, "--out", s(&explores)]);
    }
    let parts = |dir: &Path| -> Vec<String> {
        (0..2)
            .map(|k| {
                dir.join(format!("part-{k}-of-2.defsim"))
                    .display()
                    .to_string()
            })
            .collect()
    };
    let (run_parts, explore_parts) = (parts(&runs), parts(&explores));

    // The verbs, in this process, on one thread each.
    let merged = t.join("merged");
    let merged_explore = t.join("merged-explore");
    let mut merge = vec!["merge"];
    merge.extend(run_parts.iter().map(String::as_str));
    merge.extend(["--out", s(&merged), "--threads", "1"]);
    in_process(&merge);
    let mut merge = vec!["merge"];
    merge.extend(explore_parts.iter().map(String::as_str));
    merge.extend(["--out", s(&merged_explore), "--threads", "1"]);
    in_process(&merge);
    let whole = t.join("whole");
    in_process(&[
        "run",
        &baseline,
        "--trials",
        "3000",
        "--threads",
        "1",
        "--out",
        s(&whole),
    ]);
    let streamed = t.join("streamed");
    in_process(&[
        "run",
        &baseline,
        "--trials",
        "6000",
        "--streaming",
        "--threads",
        "1",
        "--out",
        s(&streamed),
    ]);
    let explored = t.join("explored");
    in_process(&["explore", s(&exp), "--threads", "1", "--out", s(&explored)]);
    let one = |verb: &str, args: &[&str], out: &Path| {
        let mut all = vec![verb];
        all.extend_from_slice(args);
        all.extend(["--trials", "1000", "--threads", "1", "--out", s(out)]);
        in_process(&all);
    };
    let captive = common::scenario("captive-power.toml");
    let (compared, swept, sensed, discovered, checked) = (
        t.join("compared"),
        t.join("swept"),
        t.join("sensed"),
        t.join("discovered"),
        t.join("checked"),
    );
    one("compare", &[&baseline, &captive], &compared);
    one(
        "sweep",
        &[&baseline, "--param", "plan.oversight=0:1:2"],
        &swept,
    );
    one("sensitivity", &[&baseline], &sensed);
    one(
        "discover",
        &[&baseline, "--where", "viable == 1"],
        &discovered,
    );
    let summary = whole.join("summary.json");
    in_process(&[
        "check",
        &baseline,
        "--baseline",
        s(&summary),
        "--threads",
        "1",
        "--out",
        s(&checked),
    ]);
    for dir in [
        &merged,
        &merged_explore,
        &whole,
        &streamed,
        &explored,
        &compared,
        &swept,
        &sensed,
        &discovered,
        &checked,
    ] {
        assert!(dir.join(".defsim-output").is_file(), "{}", dir.display());
    }
    assert!(
        rayon::ThreadPoolBuilder::new().build_global().is_ok(),
        "with --threads 1, something ran on rayon's global pool (every core) instead"
    );

    // And the outputs do not depend on the threads: merges on 2 threads (another process)
    // write the same bytes (run.json, which records the threads and times, aside).
    for (parts, one) in [(&run_parts, &merged), (&explore_parts, &merged_explore)] {
        let two = t.join(format!(
            "two-{}",
            one.file_name().unwrap().to_string_lossy()
        ));
        let mut args = vec!["merge"];
        args.extend(parts.iter().map(String::as_str));
        args.extend(["--out", s(&two), "--threads", "2"]);
        ok(&args);
        let mut a = snapshot(one);
        let mut b = snapshot(&two);
        for m in [&mut a, &mut b] {
            m.remove(Path::new("run.json"));
        }
        assert!(a.len() > 3, "{:?}", a.keys().collect::<Vec<_>>());
        assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
        for (name, bytes) in &a {
            assert!(
                bytes == &b[name],
                "{}: differs on 1 and 2 threads",
                name.display()
            );
        }
    }
}
