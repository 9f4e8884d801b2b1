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
    /// Simulate a scenario and write summary.json, summary.csv, timeseries.csv, run.json,
    /// plots/ and report.html to output/<scenario name>/ (or --out).
    Run(RunArgs),
    /// Parse and check scenario files without simulating; --print shows the resolved scenario.
    Validate(ValidateArgs),
    /// Run several scenarios with common random numbers (the first one's seed and trials)
    /// and show each outcome's paired and unpaired differences from the first, with
    /// overlaid plots, in output/compare-<names>/ (or --out).
    Compare(CompareArgs),
    /// Run one scenario along one key (`--param KEY=FROM:TO:STEPS`, both ends included),
    /// with the same seed and trials at each step, in output/sweep-<name>/ (or --out).
    Sweep(SweepArgs),
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
    /// Skip the plots (plots/*.png, plots/*.svg); report.html is still written, without them.
    #[arg(long)]
    pub no_plots: bool,
}

/// `defsim compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Scenario files (TOML): the first is the reference the others are compared with.
    #[arg(required = true, num_args = 2..)]
    pub scenarios: Vec<PathBuf>,
    /// Options; --seed and --trials default to the first scenario's, --set applies to every
    /// scenario.
    #[command(flatten)]
    pub sim: SimArgs,
    /// Skip the plots; compare.html is still written, without them.
    #[arg(long)]
    pub no_plots: bool,
}

/// `defsim sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// The key and its values: KEY=FROM:TO:STEPS, STEPS points with both ends included,
    /// e.g. `plan.oversight=0:1:5` or `macro.trend_growth.mean=0.02:0.08:7`. Each step runs
    /// as `--set KEY=VALUE`.
    #[arg(long, value_name = "KEY=FROM:TO:STEPS")]
    pub param: String,
    /// An outcome to plot and tabulate (5/50/95%) along the sweep. Repeatable; default
    /// independence, unit_cost_ratio, peak_fiscal_burden. P(viable) is always shown.
    #[arg(long = "outcome", value_name = "NAME")]
    pub outcomes: Vec<String>,
    #[command(flatten)]
    pub sim: SimArgs,
    /// Skip the plots; sweep.html is still written, without them.
    #[arg(long)]
    pub no_plots: bool,
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
