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
use crate::export::{self, staging::FileKind};

/// The re-run moved beyond Monte Carlo noise (exit 1).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Regression(pub String);

/// Rows of the table at most (failures are always shown).
const SHOWN: usize = 20;

/// Writes the re-run's summary files into `out` (`--out`), atomically, as `run` does.
fn write_rerun(out: &Path, rerun: &RunSummary) -> Result<()> {
    let staging = stage(out)?;
    export::json::write(&staging.path().join("summary.json"), rerun)?;
    export::csv::write_summary(&staging.path().join("summary.csv"), rerun)?;
    export::csv::write_timeseries(&staging.path().join("timeseries.csv"), rerun)?;
    commit(staging)?;
    Ok(())
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
    if let Some(out) = &args.sim.out {
        write_rerun(out, &rerun)?;
    }

    let Some((baseline, text)) = baseline else {
        write_atomic(&args.baseline, BASELINE, &export::json::to_text(&rerun))?;
        crate::out::println!(
            "created {} ({}: seed {}, {} trials)",
            args.baseline.display(),
            rerun.scenario.name,
            rerun.seed,
            rerun.trials
        );
        return Ok(());
    };
    crate::out::println!(
        "check {} against {}",
        args.scenario.display(),
        args.baseline.display()
    );
    if baseline.scenario.resolved_sha256 != rerun.scenario.resolved_sha256 {
        crate::out::println!("  note: the resolved scenario differs from the baseline's (sha256)");
    }
    let holds = if args.exact {
        let verdict = check::exact_verdict(
            &text,
            &baseline,
            &rerun,
            export::json::to_text::<RunSummary>,
        );
        print_exact(&verdict);
        write_json(args.json.as_deref(), &verdict)?;
        verdict.holds
    } else {
        let verdict = check::verdict(&baseline, &rerun, args.alpha);
        print_verdict(&verdict);
        write_json(args.json.as_deref(), &verdict)?;
        verdict.holds
    };

    if args.update {
        let new = export::json::to_text(&rerun);
        if new == text {
            crate::out::println!("baseline {} unchanged", args.baseline.display());
        } else {
            write_atomic(&args.baseline, BASELINE, &new)?;
            crate::out::println!(
                "updated {} (seed {}, {} trials): the changes above are now the baseline",
                args.baseline.display(),
                rerun.seed,
                rerun.trials
            );
        }
        return Ok(());
    }
    if holds {
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
    if args.update {
        super::check_named_file(&args.baseline, BASELINE)?;
    }
    if let Some(json) = &args.json {
        super::check_named_file(json, VERDICT)?;
    }
    Ok(())
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

/// Writes the verdict to `path` (when given), whole or not at all ([`write_atomic`]).
fn write_json<T: serde::Serialize>(path: Option<&Path>, value: &T) -> Result<()> {
    match path {
        Some(path) => write_atomic(path, VERDICT, &export::json::to_text(value)),
        None => Ok(()),
    }
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
