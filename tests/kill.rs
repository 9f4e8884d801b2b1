//! Kill tests (issue 8): a run that writes plots and `--trials-csv` over an existing result
//! is killed with SIGKILL, and interrupted with SIGINT, at [`MOMENTS`] moments each spread
//! evenly (with random jitter) over its whole duration, simulation and writing. After every
//! kill the output folder is byte for byte the earlier result or the complete new one; after
//! the next run no staging folder is left; SIGINT exits 130 (or 0 when the run had finished).

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::hash::{BuildHasher, RandomState};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Kill moments per signal.
const MOMENTS: usize = 24;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `defsim run` of the baseline with plots and trials.csv, seed `seed`, into `out`.
fn run(out: &Path, seed: u64) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_defsim"));
    c.current_dir(root())
        .args(["run", "scenarios/baseline.toml", "--trials", "2000"])
        .args(["--trials-csv", "--seed", &seed.to_string(), "--out"])
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// Every file under `dir` with its bytes (none when `dir` is absent); run.json (timings)
/// only as "present".
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    if !dir.exists() {
        return BTreeMap::new();
    }
    let mut files = common::snapshot(dir);
    if let Some(run) = files.get_mut(Path::new("run.json")) {
        *run = b"present".to_vec();
    }
    files
}

/// Hidden staging entries beside the output folder.
fn staging(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".defsim-staging."))
        .collect()
}

/// A random fraction in [0, 1).
fn jitter() -> f64 {
    (RandomState::new().hash_one(Instant::now()) >> 11) as f64 / (1u64 << 53) as f64
}

/// The two tests run one after the other: each times its runs on a machine the other does
/// not load.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn kill_test(signal: Option<rustix::process::Signal>) {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    // The two complete results, A and B, and how long a run takes.
    let mut reference = Vec::new();
    let mut took = Duration::ZERO;
    for seed in [1, 2] {
        let dir = tmp.path().join(format!("ref{seed}"));
        let start = Instant::now();
        assert!(run(&dir, seed).status().unwrap().success());
        took = took.max(start.elapsed());
        reference.push(snapshot(&dir));
    }
    assert_ne!(reference[0], reference[1]);
    let area = tmp.path().join("area");
    fs::create_dir(&area).unwrap();
    let out = area.join("out");
    assert!(run(&out, 1).status().unwrap().success());
    let mut current = 0;
    let (mut kept, mut replaced, mut left_staging, mut interrupted) = (0, 0, 0, 0);
    for i in 0..MOMENTS {
        let next = 1 - current;
        // Moments spread over the whole run (and a little beyond), in random order of jitter.
        let at = took.mul_f64((i as f64 + jitter()) / MOMENTS as f64 * 1.2);
        let mut child = run(&out, next as u64 + 1).spawn().unwrap();
        std::thread::sleep(at);
        match signal {
            None => {
                let _ = child.kill();
            }
            Some(sig) => {
                let _ =
                    rustix::process::kill_process(rustix::process::Pid::from_child(&child), sig);
            }
        }
        let status = child.wait().unwrap();
        if signal.is_some() {
            // A signal that lands before `main` has installed its handler (the first
            // milliseconds after exec, before anything is written) ends the process by the
            // default action; every later one must be handled: exit 130, or 0 when the run
            // had already finished.
            use std::os::unix::process::ExitStatusExt;
            let early = status.signal() == Some(libc_sigint());
            assert!(
                matches!(status.code(), Some(130) | Some(0)) || early,
                "SIGINT: exit 130 (or 0 when done): {status:?} at {at:?}"
            );
            if status.code() == Some(130) {
                interrupted += 1;
            }
        }
        if !staging(&area).is_empty() {
            left_staging += 1;
        }
        let now = snapshot(&out);
        if now == reference[current] {
            kept += 1;
        } else if now == reference[next] {
            replaced += 1;
            current = next;
        } else {
            panic!(
                "killed at {at:?}: the folder is neither the earlier result nor the complete \
                 new one: {:?}",
                now.keys().collect::<Vec<_>>()
            );
        }
    }
    // The next run removes what a SIGKILL left.
    assert!(run(&out, 1).status().unwrap().success());
    assert_eq!(
        staging(&area),
        Vec::<String>::new(),
        "no staging after the next run"
    );
    assert_eq!(snapshot(&out), reference[0]);
    eprintln!(
        "{}: {MOMENTS} moments over {took:?}: {kept} kept the earlier result, {replaced} \
         replaced it; {left_staging} left a staging folder until the next run",
        if signal.is_some() {
            "SIGINT"
        } else {
            "SIGKILL"
        }
    );
    assert!(
        kept > 0,
        "some moments fell before the new result was complete"
    );
    if signal.is_none() {
        assert!(left_staging > 0, "some SIGKILL moments fell while writing");
    } else {
        assert!(
            interrupted > 0,
            "some SIGINT moments were handled (exit 130)"
        );
    }
}

#[test]
fn sigkill_at_any_moment_leaves_the_earlier_result_or_the_complete_new_one() {
    kill_test(None);
}

#[test]
fn sigint_at_any_moment_leaves_the_earlier_result_or_the_complete_new_one_and_exits_130() {
    kill_test(Some(rustix::process::Signal::INT));
}

/// SIGINT's number, as the exit status reports a death by signal.
fn libc_sigint() -> i32 {
    rustix::process::Signal::INT.as_raw()
}
