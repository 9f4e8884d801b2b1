//! Helpers shared by the end-to-end tests (`mod common;` in each test file): the binary,
//! the shipped scenarios, and readers of what `defsim` wrote.

// Each test crate compiles this module and uses a part of it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

/// The `defsim` binary, as a command to build up.
pub fn defsim() -> Command {
    Command::cargo_bin("defsim").expect("the defsim binary is built")
}

/// Runs `defsim args` in `cwd` and returns its output; an argument ending in `.toml` names a
/// file from the repository root (an absolute path stays as it is).
pub fn defsim_in(cwd: &Path, args: &[&str]) -> Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cmd = defsim();
    cmd.current_dir(cwd);
    for a in args {
        if a.ends_with(".toml") {
            cmd.arg(root.join(a));
        } else {
            cmd.arg(a);
        }
    }
    cmd.output().expect("defsim runs")
}

/// The path of shipped scenario `name` (`baseline.toml`).
pub fn scenario(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
        .display()
        .to_string()
}

/// Writes the scenario `dir/FILE` extending the shipped scenario `parent` (`baseline.toml`):
/// a `[scenario]` table with its `extends` line, then `rest` (more `[scenario]` keys, then
/// other tables). Returns its path.
pub fn child_scenario(dir: &Path, file: &str, parent: &str, rest: &str) -> PathBuf {
    let path = dir.join(file);
    fs::write(
        &path,
        format!("[scenario]\nextends = {:?}\n{rest}", scenario(parent)),
    )
    .unwrap();
    path
}

/// Writes the small experiment `dir/NAME.toml` on the shipped baseline: every combination
/// (`factorial`) of the `levers`, each at 0 and 1, judged on `viable` with target 0.1, with
/// `trials` and `seed`. Returns its path.
pub fn experiment_file(
    dir: &Path,
    name: &str,
    (trials, seed): (u64, u64),
    levers: &[&str],
) -> PathBuf {
    let path = dir.join(format!("{name}.toml"));
    let levers: String = levers
        .iter()
        .map(|k| format!("\"{k}\" = [0.0, 1.0]\n"))
        .collect();
    fs::write(
        &path,
        format!(
            "[experiment]\nname = \"{name}\"\nscenario = {:?}\ntrials = {trials}\n\
             seed = {seed}\npolicies = \"factorial\"\ncriterion = \"viable\"\n\
             target = 0.1\n\n[levers]\n{levers}",
            scenario("baseline.toml")
        ),
    )
    .unwrap();
    path
}

/// Every file under `dir` (relative path) with its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn go(base: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                go(base, &p, out);
            } else {
                out.insert(p.strip_prefix(base).unwrap().into(), fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    go(dir, dir, &mut out);
    out
}

/// The names in `dir`, hidden ones included, sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The text content of every `<text>` element of an SVG (trimmed, entities as written).
pub fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let start = t.find('>')? + 1;
            let end = t.find("</text>")?;
            Some(t[start..end].trim().to_string())
        })
        .collect()
}

/// The JSON file at `path`, parsed.
pub fn read_json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// Whether process `pid` has a handler for SIGINT and SIGTERM (`SigCgt` of
/// `/proc/PID/status`): from then on a signal tests the handler, not the default action.
pub fn catches_interrupts(pid: u32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            let mask = s.lines().find_map(|l| l.strip_prefix("SigCgt:"))?;
            u64::from_str_radix(mask.trim(), 16).ok()
        })
        .is_some_and(|mask| mask & (1 << (2 - 1)) != 0 && mask & (1 << (15 - 1)) != 0)
}

/// Starts `defsim run SCENARIO --checkpoint --checkpoint-seconds 0 --no-plots ARGS --out OUT`,
/// waits (on the file, not a fixed time) for its first checkpoint, and kills it (SIGKILL).
/// Returns whether the checkpoint `OUT.checkpoint/checkpoint.defsim` is there: false if the
/// run wrote none in time or ended (removing it) before the kill.
pub fn kill_after_first_checkpoint(scenario: &Path, args: &[&str], out: &Path) -> bool {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("defsim"))
        .arg("run")
        .arg(scenario)
        .args(["--checkpoint", "--checkpoint-seconds", "0", "--no-plots"])
        .args(args)
        .arg("--out")
        .arg(out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut checkpoint = out.as_os_str().to_owned();
    checkpoint.push(".checkpoint");
    let file = PathBuf::from(checkpoint).join("checkpoint.defsim");
    wait_until(3000, Duration::from_millis(10), || file.exists());
    child.kill().unwrap();
    child.wait().unwrap();
    file.exists()
}

/// Polls `ready` every `every` until it holds, at most `times` times: a wait for an observable
/// state (a file, a process's signal mask) instead of a fixed sleep, which a loaded machine
/// outruns.
pub fn wait_until(times: u32, every: Duration, mut ready: impl FnMut() -> bool) {
    for _ in 0..times {
        if ready() {
            return;
        }
        std::thread::sleep(every);
    }
}
