//! `defsim check`: re-run a scenario and compare it with a baseline `summary.json`
//! (statistically, or byte for byte with `--exact`); `--update` accepts the re-run.

use std::fs;
use std::path::Path;

use anyhow::Result;

use super::{BadInput, Job, SUMMARY_INPUTS, claim, commit, stage};
use crate::analysis::check::{self, CheckVerdict};
use crate::analysis::run::RunSummary;
use crate::cli::{CheckArgs, SamplingDesign};
use crate::engine::KeepInputs;
use crate::export::Staging;
use crate::export::{self, staging::FileKind};

/// The re-run moved beyond Monte Carlo noise (exit 1).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Regression(pub String);

/// Rows of the table at most (failures are always shown).
const SHOWN: usize = 20;

/// The re-run's summary files staged for `out` (`--out`), as `run` writes them; put in
/// place by [`put_in_place`].
fn stage_rerun(out: &Path, rerun: &RunSummary) -> Result<Staging> {
    let staging = stage(out)?;
    export::json::write(&staging.path().join("summary.json"), rerun)?;
    export::csv::write_summary(&staging.path().join("summary.csv"), rerun)?;
    export::csv::write_timeseries(&staging.path().join("timeseries.csv"), rerun)?;
    Ok(staging)
}

/// A file `check` writes where the user named it (the baseline, the verdict): its path, what
/// it holds, its text.
type NamedFile<'a> = (&'a Path, FileKind, String);

/// Puts every output of `check` in place, or (refused) none: each target, the `--out` folder
/// and each named file, is first checked again as before the run, so that a file or folder
/// of the user's that appeared at any of them during the run is refused (exit 2) before any
/// is written, and the staged outputs are removed. Then the folder is put in place and the
/// files are written, each whole, each checked once more at its own rename (a file that
/// appears in the instant between the two checks is refused there, after the folder was put
/// in place: no check and rename of two paths is one step).
fn put_in_place(out: Option<Staging>, files: Vec<NamedFile<'_>>) -> Result<()> {
    if let Some(staging) = &out {
        claim(staging.target())?;
    }
    for &(path, kind, _) in &files {
        super::check_named_file(path, kind)?;
    }
    if let Some(staging) = out {
        commit(staging)?;
    }
    for (path, kind, text) in files {
        write_atomic(path, kind, &text)?;
    }
    Ok(())
}

/// The verdict of `check`: statistical, or byte for byte (`--exact`).
enum Verdict {
    /// Within Monte Carlo noise, item by item.
    Statistical(CheckVerdict),
    /// `summary.json` byte for byte.
    Exact(check::ExactCheckVerdict),
}

impl Verdict {
    /// Whether the re-run agrees with the baseline.
    fn holds(&self) -> bool {
        match self {
            Verdict::Statistical(v) => v.holds,
            Verdict::Exact(v) => v.holds,
        }
    }

    /// The verdict as `--json FILE` holds it.
    fn to_json(&self) -> String {
        match self {
            Verdict::Statistical(v) => export::json::to_text(v),
            Verdict::Exact(v) => export::json::to_text(v),
        }
    }

    /// Prints the table of the verdict.
    fn print(&self) {
        match self {
            Verdict::Statistical(v) => print_verdict(v),
            Verdict::Exact(v) => print_exact(v),
        }
    }
}

/// `defsim check`, wholly on `--threads` worker threads.
pub fn check(args: &CheckArgs) -> Result<()> {
    super::on_threads(args.sim.threads, || check_on_this_pool(args))
}

/// [`check`] on the current rayon pool.
fn check_on_this_pool(args: &CheckArgs) -> Result<()> {
    anyhow::ensure!(
        args.alpha > 0.0 && args.alpha < 1.0,
        BadInput(format!("--alpha must be in (0, 1), found {}", args.alpha))
    );
    let baseline = read_baseline(&args.baseline, args.update)?;
    let mut sim = args.sim.clone();
    if let Some((summary, _)) = &baseline {
        sim.seed = sim.seed.or(Some(summary.seed));
        sim.trials = sim.trials.or(Some(summary.trials));
    }
    // The re-run samples the parameters as the baseline run did.
    let design = match &baseline {
        None => SamplingDesign::Mc,
        Some((summary, _)) => SamplingDesign::from_name(&summary.design).ok_or_else(|| {
            BadInput(format!(
                "{}: unknown sampling design `{}` (expected mc or lhs)",
                args.baseline.display(),
                summary.design
            ))
        })?,
    };
    if let Some(out) = &args.sim.out {
        claim(out)?;
    }
    check_targets(args)?;
    // ... and computes its quantiles as the baseline did: exactly, or (a streaming run's
    // baseline) from the sketch, streaming.
    let streaming = baseline
        .as_ref()
        .is_some_and(|(summary, _)| summary.quantiles.is_sketch());
    let rerun = if streaming {
        let job = Job::load_limited(&args.scenario, &sim, KeepInputs::None, None)?;
        super::run::simulate_streaming(&job, design)?
    } else {
        let job = Job::load(&args.scenario, &sim, SUMMARY_INPUTS)?;
        let mut results = job.simulate_with(design)?;
        job.summarize(&mut results, design)
    };
    // Every output is made ready, then all are put in place together, and only then is
    // anything printed (a closed standard output ends the process at its first line).
    let out = match &args.sim.out {
        Some(out) => Some(stage_rerun(out, &rerun)?),
        None => None,
    };
    let new = export::json::to_text(&rerun);

    let Some((baseline, text)) = baseline else {
        put_in_place(out, vec![(&args.baseline, BASELINE, new)])?;
        crate::out::println!(
            "created {} ({}: seed {}, {} trials)",
            args.baseline.display(),
            rerun.scenario.name,
            rerun.seed,
            rerun.trials
        );
        return Ok(());
    };
    let verdict = if args.exact {
        Verdict::Exact(check::exact_verdict(
            &text,
            &baseline,
            &rerun,
            export::json::to_text::<RunSummary>,
        ))
    } else {
        Verdict::Statistical(check::verdict(&baseline, &rerun, args.alpha))
    };
    let changed = new != text;
    let mut files = Vec::new();
    if let Some(json) = &args.json {
        files.push((json.as_path(), VERDICT, verdict.to_json()));
    }
    if args.update && changed {
        files.push((args.baseline.as_path(), BASELINE, new));
    }
    put_in_place(out, files)?;

    crate::out::println!(
        "check {} against {}",
        args.scenario.display(),
        args.baseline.display()
    );
    if baseline.scenario.resolved_sha256 != rerun.scenario.resolved_sha256 {
        crate::out::println!("  note: the resolved scenario differs from the baseline's (sha256)");
    }
    verdict.print();
    if args.update {
        if changed {
            crate::out::println!(
                "updated {} (seed {}, {} trials): the changes above are now the baseline",
                args.baseline.display(),
                rerun.seed,
                rerun.trials
            );
        } else {
            crate::out::println!("baseline {} unchanged", args.baseline.display());
        }
        return Ok(());
    }
    if verdict.holds() {
        Ok(())
    } else {
        Err(Regression(format!(
            "{} differs from the baseline {} beyond the check's tolerance; if the change is \
             intended, accept it with `defsim check {} --baseline {} --update`",
            args.scenario.display(),
            args.baseline.display(),
            args.scenario.display(),
            args.baseline.display()
        ))
        .into())
    }
}

/// The baseline and its text; `None` when it is missing and `--update` will create it.
fn read_baseline(path: &Path, update: bool) -> Result<Option<(RunSummary, String)>> {
    if update && !path.exists() {
        return Ok(None);
    }
    let text = fs::read_to_string(path)
        .map_err(|e| BadInput(format!("cannot read the baseline {}: {e}", path.display())))?;
    let summary = serde_json::from_str(&text).map_err(|e| {
        BadInput(format!(
            "the baseline {} is not a defsim summary.json: {e}",
            path.display()
        ))
    })?;
    Ok(Some((summary, text)))
}

/// Checks, before simulating, that `check` may write the files it was given: the baseline
/// with `--update` (a defsim summary.json, already read as one, or a new name) and the
/// `--json` verdict (a new name, or a verdict that `check --json` wrote before).
fn check_targets(args: &CheckArgs) -> Result<()> {
    // The --out folder is replaced whole: a file inside it (or the folder itself) named as
    // the baseline or the verdict would be lost with it, or refused after it was written.
    if let Some(out) = &args.sim.out {
        let folder = resolved(out);
        for (flag, path) in [
            ("the baseline", Some(&args.baseline)),
            ("--json", args.json.as_ref()),
        ] {
            if let Some(path) = path.filter(|p| resolved(p).starts_with(&folder)) {
                return Err(BadInput(format!(
                    "{flag} {} lies in --out {}, which check replaces whole: name a file \
                     outside that folder",
                    path.display(),
                    out.display()
                ))
                .into());
            }
        }
    }
    if args.update {
        super::check_named_file(&args.baseline, BASELINE)?;
    }
    if let Some(json) = &args.json {
        super::check_named_file(json, VERDICT)?;
    }
    Ok(())
}

/// `path` made absolute, with its parent folder's symbolic links and `..` resolved when that
/// folder exists (so that two spellings of one place compare equal).
fn resolved(path: &Path) -> std::path::PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => parent
            .canonicalize()
            .map_or_else(|_| absolute.clone(), |p| p.join(name)),
        _ => absolute,
    }
}

/// The baseline `check --update` writes: a defsim summary.json.
const BASELINE: FileKind = ("summary.json", |b| {
    serde_json::from_slice::<RunSummary>(b).is_ok()
});

/// The verdict `check --json FILE` writes.
const VERDICT: FileKind = ("check verdict (check --json)", is_verdict);

/// Whether `bytes` are a verdict that `check --json` writes: a JSON object with `holds` and
/// the statistical verdict's `items` or the exact verdict's `differing_lines`.
fn is_verdict(bytes: &[u8]) -> bool {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(serde_json::Value::Object(m)) => {
            m.contains_key("holds")
                && (m.contains_key("items") || m.contains_key("differing_lines"))
        }
        _ => false,
    }
}

/// Writes `text` to `path` through a staging file beside it and a rename, so the file (the
/// baseline, the verdict) is never half written; creates missing parent folders. A file of
/// the user's created at `path` since [`check_targets`] is refused at the rename (exit 2)
/// and left untouched.
fn write_atomic(path: &Path, kind: FileKind, text: &str) -> Result<()> {
    super::write_named_file(path, kind, |f| {
        std::io::Write::write_all(f, text.as_bytes())
    })
}

/// The table of what moved, largest |z| first.
fn print_verdict(v: &CheckVerdict) {
    crate::out::println!(
        "  re-run: seed {}, {} trials; baseline: seed {}, {} trials{}",
        v.rerun_seed,
        v.rerun_trials,
        v.baseline_seed,
        v.baseline_trials,
        if v.same_seed_and_trials {
            " (same random numbers: identical unless the model or scenario changed)"
        } else {
            ""
        }
    );
    crate::out::println!(
        "  {} comparisons at alpha {} ({}): each holds when |z| <= {:.3}",
        v.comparisons,
        v.alpha,
        v.correction,
        v.z_critical
    );
    let added: Vec<&str> = v
        .items
        .iter()
        .filter(|c| c.method == check::Method::Added)
        .map(|c| c.name.as_str())
        .collect();
    if !added.is_empty() {
        crate::out::println!(
            "  added (in the re-run, not in the baseline; not compared): {}",
            added.join(", ")
        );
    }
    let mut moved: Vec<_> = v
        .items
        .iter()
        .filter(|c| c.method != check::Method::Added)
        .filter(|c| !c.holds || c.diff.is_none_or(|d| d != 0.0))
        .collect();
    moved.sort_by(|a, b| b.z.total_cmp(&a.z));
    if moved.is_empty() {
        crate::out::println!("  nothing moved");
    } else {
        crate::out::println!(
            "  {:<26} {:<5} {:>16} {:>16} {:>14} {:>9}",
            "what",
            "stat",
            "baseline",
            "re-run",
            "diff",
            "|z|"
        );
        let shown: Vec<_> = moved
            .iter()
            .enumerate()
            .filter(|(i, c)| *i < SHOWN || !c.holds)
            .map(|(_, c)| c)
            .collect();
        for c in &shown {
            crate::out::println!(
                "  {:<26} {:<5} {:>16} {:>16} {:>14} {:>9} {}",
                c.name,
                c.stat,
                num(c.baseline),
                num(c.rerun),
                num(c.diff),
                if c.z.is_finite() {
                    format!("{:.2}", c.z)
                } else {
                    "inf".into()
                },
                if c.holds { "ok" } else { "MOVED" }
            );
        }
        let hidden = moved.len() - shown.len();
        if hidden > 0 {
            crate::out::println!("  ... and {hidden} more that moved less");
        }
    }
    if v.holds {
        crate::out::println!("ok: nothing moved beyond Monte Carlo noise");
    } else {
        crate::out::println!(
            "REGRESSION: {} of {} comparisons moved beyond Monte Carlo noise",
            v.failures,
            v.comparisons
        );
    }
}

fn print_exact(v: &check::ExactCheckVerdict) {
    if v.holds {
        crate::out::println!("ok: summary.json is identical byte for byte (defsim_version aside)");
    } else {
        crate::out::println!(
            "REGRESSION: {} lines of summary.json differ",
            v.differing_lines
        );
        if let Some((line, old, new)) = &v.first_difference {
            crate::out::println!(
                "  first at line {line}:\n  - {}\n  + {}",
                old.trim(),
                new.trim()
            );
        }
    }
}

/// A number with about seven significant digits, `-` when absent.
fn num(v: Option<f64>) -> String {
    match v {
        None => "-".into(),
        Some(x) if x == 0.0 || !x.is_finite() => format!("{x}"),
        Some(x) => {
            let digits = x.abs().log10().floor() as i32 + 1;
            let decimals = (7 - digits).clamp(0, 9) as usize;
            format!("{x:.decimals$}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::staging::tests::names;

    /// A staged `--out` folder holding one file.
    fn staged(out: &Path, text: &str) -> Staging {
        let staging = stage(out).unwrap();
        fs::write(staging.path().join("summary.csv"), text).unwrap();
        staging
    }

    const A_VERDICT: &str = "{\"holds\": true, \"items\": []}\n";

    fn refused(r: Result<()>) -> String {
        match r {
            Err(e) => match e.downcast_ref::<BadInput>() {
                Some(b) => b.0.clone(),
                None => panic!("not bad input: {e:#}"),
            },
            Ok(()) => panic!("not refused"),
        }
    }

    /// A file of the user's that appears at `--json FILE` during the run refuses the whole
    /// write before the `--out` folder is put in place: neither is written, the staging is
    /// removed, and the user's file is as they wrote it.
    #[test]
    fn a_user_file_at_the_json_path_refuses_the_out_folder_too() {
        let dir = tempfile::tempdir().unwrap();
        let (out, json) = (dir.path().join("out"), dir.path().join("verdict.json"));
        check_named_file_ok(&json);
        let staging = staged(&out, "new");
        fs::write(&json, "the user's notes").unwrap();
        let e = refused(put_in_place(
            Some(staging),
            vec![(&json, VERDICT, A_VERDICT.into())],
        ));
        assert!(e.contains(&json.display().to_string()), "{e}");
        assert_eq!(fs::read_to_string(&json).unwrap(), "the user's notes");
        assert_eq!(
            names(dir.path()),
            ["verdict.json"],
            "out and staging absent"
        );
    }

    /// A file of the user's that appears in the `--out` folder during the run refuses the
    /// verdict too: the folder keeps its earlier results, the verdict is not written.
    #[test]
    fn a_user_file_in_the_out_folder_refuses_the_json_too() {
        let dir = tempfile::tempdir().unwrap();
        let (out, json) = (dir.path().join("out"), dir.path().join("verdict.json"));
        put_in_place(Some(staged(&out, "old")), vec![]).unwrap();
        let staging = staged(&out, "new");
        fs::write(out.join("notes.txt"), "mine").unwrap();
        let e = refused(put_in_place(
            Some(staging),
            vec![(&json, VERDICT, A_VERDICT.into())],
        ));
        assert!(e.contains("notes.txt"), "{e}");
        assert_eq!(fs::read_to_string(out.join("summary.csv")).unwrap(), "old");
        assert_eq!(names(dir.path()), ["out"], "no verdict, no staging");
    }

    /// With nothing of the user's in the way, the folder and the files are all written (and
    /// a verdict that `check` wrote before is replaced).
    #[test]
    fn with_nothing_in_the_way_every_output_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let (out, json) = (dir.path().join("out"), dir.path().join("sub/verdict.json"));
        fs::create_dir(dir.path().join("sub")).unwrap();
        fs::write(&json, "{\"holds\": false, \"differing_lines\": 3}").unwrap();
        check_named_file_ok(&json);
        put_in_place(
            Some(staged(&out, "new")),
            vec![(&json, VERDICT, A_VERDICT.into())],
        )
        .unwrap();
        assert_eq!(fs::read_to_string(out.join("summary.csv")).unwrap(), "new");
        assert_eq!(fs::read_to_string(&json).unwrap(), A_VERDICT);
        assert_eq!(names(dir.path()), ["out", "sub"]);
        assert_eq!(names(&dir.path().join("sub")), ["verdict.json"]);
    }

    fn check_named_file_ok(path: &Path) {
        super::super::check_named_file(path, VERDICT).unwrap();
    }
}
