//! The command line: verbs and their options (clap). Parsing only; `app` does the work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// defsim: can a fragile state's plan to build its own defense industry work?
///
/// Simulates a scenario file over many trials (possible futures of growth, sanctions,
/// foreign support, gold, power, conflict and corruption) and reports the distribution of
/// outcomes. Exit codes: 0 success, 1 a check failed or the run failed, 2 bad input or usage.
#[derive(Debug, Parser)]
#[command(name = "defsim", version, about, long_about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The verbs.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario and write summary.json, summary.csv, timeseries.csv and run.json
    /// to output/<scenario name>/ (or --out).
    Run(RunArgs),
    /// Parse and check scenario files without simulating; --print shows the resolved scenario.
    Validate(ValidateArgs),
    /// Re-run a scenario with a baseline summary.json's seed and trial count and compare the
    /// results within Monte Carlo noise (or byte for byte with --exact); exit 1 on a
    /// regression. --update accepts an intended change by rewriting the baseline.
    Check(CheckArgs),
    /// Replay one trial exactly as inside a run and print it year by year: drawn parameters,
    /// sanctions and support, economy, budget, every line, and the outcomes.
    Trace(TraceArgs),
}

/// Options shared by every verb that simulates.
#[derive(Debug, Clone, Args)]
pub struct SimArgs {
    /// Number of trials (default: the scenario's `scenario.trials`).
    #[arg(long)]
    pub trials: Option<u64>,
    /// Seed of the random numbers (default: the scenario's `scenario.seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads; 0 uses every core. Results do not depend on it.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Output folder (default: output/<scenario name>/ for run, output/<verb>-<name>/ for others).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override one key after `extends` is resolved, e.g. `--set macro.trend_growth.mean=0.04`
    /// or `--set plan.oversight=0.5` (the value is TOML). Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// `defsim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    #[command(flatten)]
    pub sim: SimArgs,
    /// Also write trials.csv: every trial's drawn inputs and outcomes.
    #[arg(long)]
    pub trials_csv: bool,
}

/// `defsim validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario files (TOML).
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// Print each resolved scenario: every parameter with its distribution and source.
    #[arg(long)]
    pub print: bool,
    /// Override one key after `extends` is resolved (the value is TOML). Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// `defsim check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// The baseline: a summary.json of an earlier run. Its seed and trial count are used
    /// unless --seed / --trials are given.
    #[arg(long, value_name = "FILE")]
    pub baseline: PathBuf,
    /// Require summary.json to be identical byte for byte (defsim_version aside): for the
    /// same build on the same platform.
    #[arg(long)]
    pub exact: bool,
    /// Family-wise false-alarm rate of the statistical comparison (Bonferroni-corrected over
    /// all comparisons).
    #[arg(long, default_value_t = 0.001)]
    pub alpha: f64,
    /// Also write the verdict as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Accept the re-run as the new baseline: rewrite (or create) the baseline file and say
    /// what changed. Exits 0 whatever moved.
    #[arg(long)]
    pub update: bool,
    /// Options of the re-run (`--out` is not used: check writes only --json and --update).
    #[command(flatten)]
    pub sim: SimArgs,
}

/// `defsim trace`.
#[derive(Debug, Args)]
pub struct TraceArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Index of the trial (0-based, as in trials.csv and summary.json's `extremes`). A trial
    /// is the same in every run with the same seed, whatever the trial count.
    #[arg(long)]
    pub trial: u64,
    /// Seed of the run the trial belongs to (default: the scenario's `scenario.seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override one key after `extends` is resolved (the value is TOML). Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Also write the trace to FILE as CSV (long form: kind, name, year, value).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
}
