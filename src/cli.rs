//! The command line: verbs and their options (clap). Parsing only; `app` does the work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::engine::ShardPlan;

/// defsim: can a fragile state's plan to build its own defense industry work?
///
/// Simulates a scenario file over many trials (possible futures of growth, sanctions,
/// foreign support, gold, power, conflict and corruption) and reports the distribution of
/// outcomes. Exit codes: 0 success, 1 a check failed or the run failed, 2 bad input or usage
/// (nothing is simulated or written), 130 interrupted by Ctrl-C (SIGINT) or SIGTERM (the
/// unfinished outputs are removed; earlier results stay as they were).
///
/// Output folders are defsim's own: each holds a `.defsim-output` manifest, and defsim
/// writes only into a folder that is new, empty or its own with no file of yours in it,
/// replacing it in one step.
#[derive(Debug, Parser)]
#[command(name = "defsim", version, about, long_about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Print no progress, no tables and no notes such as "shard 1/3: trials ..." or "merged 3
    /// parts ..." (warnings and errors still go to stderr).
    #[arg(long, global = true)]
    pub quiet: bool,
}

/// The verbs.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario and write summary.json, summary.csv, timeseries.csv, run.json,
    /// plots/ and report.html to output/<scenario name>/ (or --out). Takes --shard K/N (one
    /// shard of a run split over machines; see `defsim merge`), --streaming, --checkpoint
    /// and --resume.
    Run(RunArgs),
    /// Merge the parts written by `defsim run --shard K/N` into the outputs of the whole run
    /// (summary.json byte-identical to the unsharded `run --streaming`, drivers included;
    /// trials.csv and trials.parquet too, when the shards ran with --trials-csv /
    /// --trials-parquet), or the parts of `defsim explore --shard K/N` into the outputs of
    /// the whole experiment (explore.json and policies.csv byte-identical to the unsharded
    /// explore; the experiment file is read again and must be unchanged); a missing,
    /// duplicated, foreign, truncated or corrupted part is refused (exit 2), naming it.
    Merge(MergeArgs),
    /// Which uncertain inputs drive each outcome: rank correlations and PRCC with a tornado
    /// chart (--method rank), or Sobol indices (--method sobol); writes
    /// output/sensitivity-<name>/ (or --out).
    /// Runs on one machine: does not take --shard.
    Sensitivity(SensitivityArgs),
    /// Scenario discovery (PRIM): the box of uncertain inputs in which a condition on an
    /// outcome holds, e.g. --where "viable == 1"; writes output/discover-<name>/ (or --out).
    /// Runs on one machine: does not take --shard.
    Discover(DiscoverArgs),
    /// Parse and check scenario files without simulating; --print shows the resolved scenario.
    Validate(ValidateArgs),
    /// Re-run a scenario with a baseline summary.json's seed and trial count and compare the
    /// results within Monte Carlo noise (or byte for byte with --exact); exit 1 on a
    /// regression. --update accepts an intended change by rewriting the baseline.
    /// Runs on one machine: does not take --shard.
    Check(CheckArgs),
    /// Replay one trial exactly as inside a run and print it year by year: drawn parameters,
    /// sanctions and support, economy, budget, every line, and the outcomes.
    Trace(TraceArgs),
    /// Run several scenarios with common random numbers (the first one's seed and trials)
    /// and show each outcome's paired and unpaired differences from the first, with
    /// overlaid plots, in output/compare-<names>/ (or --out).
    /// Runs on one machine: does not take --shard.
    Compare(CompareArgs),
    /// Run one scenario along one key (`--param KEY=FROM:TO:STEPS`, both ends included), or
    /// over the grid of two (`--param` twice), with the same seed and trials at each step,
    /// in output/sweep-<name>/ (or --out).
    /// Runs on one machine: does not take --shard.
    Sweep(SweepArgs),
    /// Evaluate policies (combinations of lever values from an experiment file) on the same
    /// futures: P(criterion), costs, regret, the Pareto front and each lever's main effect,
    /// in output/explore-<name>/ (or --out). Takes --shard K/N (every policy on one shard's
    /// share of the trials; see `defsim merge`).
    Explore(ExploreArgs),
    /// List every scenario key (parameters: domain, unit, meaning), every outcome or every
    /// yearly series (unit and meaning), from the model's own schema.
    List(ListArgs),
    /// Print a JSON Schema of scenario files, for editors' completion and checks (e.g. the
    /// `#:schema` directive of Taplo / Even Better TOML).
    Schema,
}

/// `defsim list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// What to list.
    #[arg(value_enum)]
    pub what: ListWhat,
}

/// What `defsim list` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListWhat {
    /// Every scenario key with its domain, unit and meaning.
    Parameters,
    /// Every outcome with its unit and meaning.
    Outcomes,
    /// Every yearly series with its unit.
    Series,
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
    /// The scenario file (TOML); not given with --resume.
    #[arg(required_unless_present = "resume")]
    pub scenario: Option<PathBuf>,
    #[command(flatten)]
    pub sim: SimArgs,
    /// Also write trials.csv: every trial's drawn inputs and outcomes. With --shard the
    /// part carries its trials' rows and `defsim merge` writes the whole run's file.
    #[arg(long)]
    pub trials_csv: bool,
    /// Also write trials.parquet: the columns of trials.csv in Apache Parquet (Snappy), for
    /// pandas, polars, R and DuckDB.
    #[arg(long)]
    pub trials_parquet: bool,
    /// Skip the plots (plots/*.png, plots/*.svg); report.html is still written, without them.
    #[arg(long)]
    pub no_plots: bool,
    /// How the uncertain parameters are sampled: mc (each from its own random stream) or
    /// lhs (Latin hypercube: stratified per input, deterministic from the seed).
    #[arg(long, value_enum, default_value_t = SamplingDesign::Mc)]
    pub design: SamplingDesign,
    /// Streaming mode: memory constant in the trial count; outcome quantiles come from the
    /// mergeable sketch (summary.json says so under "quantiles") and `extremes` keeps min and
    /// max trials only. Implied by --shard, --checkpoint, --precision and by more than
    /// 10,000,000 trials.
    #[arg(long)]
    pub streaming: bool,
    /// Run only shard K of N (0 <= K < N): its deterministic share of the trial blocks,
    /// written as DIR/part-K-of-N.defsim only (several shards of one run may share DIR,
    /// which holds a manifest and nothing else; with --trials-csv / --trials-parquet the
    /// part carries the shard's trial rows). Merge the N parts with `defsim merge`.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<ShardPlan>,
    /// Keep the partial result in DIR.checkpoint/ (written atomically every few seconds and
    /// on SIGINT/SIGTERM, which then exit 130), removed after success; continue an
    /// interrupted run with `--resume DIR.checkpoint`. Not with --shard (a scheduler re-runs
    /// a failed shard whole).
    #[arg(long, conflicts_with = "shard")]
    pub checkpoint: bool,
    /// Continue the interrupted run whose checkpoint folder is given (same bytes as an
    /// uninterrupted run); every other option comes from the checkpoint.
    #[arg(long, value_name = "DIR.checkpoint", conflicts_with_all = ["streaming", "shard", "checkpoint", "trials_csv", "trials_parquet", "precision"])]
    pub resume: Option<PathBuf>,
    /// Seconds between checkpoint writes.
    #[arg(long, default_value_t = 5.0, hide = true)]
    pub checkpoint_seconds: f64,
    /// Stop adding trials once the 95% half-width of every target is reached:
    /// `viable=0.002` (any probability or criterion) or `OUTCOME.mean=H`. Repeatable. The
    /// trial count (--trials or the scenario's) is the cap. Not with --shard or --design lhs.
    #[arg(long, value_name = "NAME=HALF_WIDTH")]
    pub precision: Vec<String>,
}

/// `defsim merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The parts: every part-K-of-N.defsim of one run or one experiment (any order).
    #[arg(required = true)]
    pub parts: Vec<PathBuf>,
    /// Output folder of the whole run or experiment.
    #[arg(long)]
    pub out: PathBuf,
    /// Worker threads (reading the parts, statistics, drivers, plots); 0 uses every core.
    /// Results do not depend on it.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Skip the plots; report.html (explore.html) is still written, without them.
    #[arg(long)]
    pub no_plots: bool,
    /// Explore parts only: the experiment file, where it is not at the path the parts
    /// record (e.g. on a cluster with other mount points). It must be the file the shards
    /// ran, byte for byte (same SHA-256), and its scenario must resolve as it did then.
    #[arg(long, value_name = "FILE")]
    pub experiment: Option<PathBuf>,
}

/// Parses `K/N` with `0 <= K < N`.
fn parse_shard(s: &str) -> Result<ShardPlan, String> {
    let (k, n) = s
        .split_once('/')
        .ok_or_else(|| format!("`{s}` is not K/N (e.g. 0/4)"))?;
    let k: u64 = k
        .trim()
        .parse()
        .map_err(|_| format!("`{k}` is not a shard index"))?;
    let n: u64 = n
        .trim()
        .parse()
        .map_err(|_| format!("`{n}` is not a shard count"))?;
    if n == 0 || k >= n {
        return Err(format!("shard {k}/{n}: need 0 <= K < N"));
    }
    Ok(ShardPlan { k, n })
}

/// Sampling design of `defsim run --design`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SamplingDesign {
    /// Plain Monte Carlo.
    Mc,
    /// Latin hypercube sampling.
    Lhs,
}

impl SamplingDesign {
    /// The name used on the command line and in `summary.json` (`mc`, `lhs`).
    pub fn name(self) -> &'static str {
        match self {
            SamplingDesign::Mc => "mc",
            SamplingDesign::Lhs => "lhs",
        }
    }

    /// The design called `name`, if any.
    pub fn from_name(name: &str) -> Option<SamplingDesign> {
        [SamplingDesign::Mc, SamplingDesign::Lhs]
            .into_iter()
            .find(|d| d.name() == name)
    }
}

/// Method of `defsim sensitivity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SensitivityMethod {
    /// Spearman and partial rank correlations from one ordinary run of --trials trials.
    Rank,
    /// Sobol first-order and total indices on a Saltelli design of --samples base points
    /// (samples x (inputs + 2) model runs; --trials is not used).
    Sobol,
}

/// `defsim sensitivity`.
#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    #[command(flatten)]
    pub sim: SimArgs,
    /// Method.
    #[arg(long, value_enum, default_value_t = SensitivityMethod::Rank)]
    pub method: SensitivityMethod,
    /// Outcome to analyse (repeatable; default: every outcome).
    #[arg(long = "outcome", value_name = "NAME")]
    pub outcomes: Vec<String>,
    /// Base points N of the Sobol design (at most 65536; a power of two keeps the Sobol
    /// sequence balanced).
    #[arg(long, default_value_t = 4096)]
    pub samples: u64,
}

/// `defsim discover`.
#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// The scenario file (TOML): its uncertain parameters are the inputs PRIM may restrict.
    pub scenario: PathBuf,
    #[command(flatten)]
    pub sim: SimArgs,
    /// The condition on the outcomes, in the language of the scenario's `[criteria]`:
    /// comparisons `NAME OP VALUE` (OP one of == != < <= > >=) joined with `and`, `or`,
    /// `not` and parentheses, e.g. "viable == 1" or "viable == 1 and peak_fiscal_burden <=
    /// 0.02". A comparison with an absent value (e.g. `breakeven_year` of a trial that never
    /// breaks even) is unknown, and a condition that ends unknown does not hold.
    #[arg(long = "where", value_name = "CONDITION")]
    pub condition: String,
    /// Read the trials from a trials.csv or trials.parquet written by `defsim run
    /// --trials-csv` / `--trials-parquet` instead of simulating (Parquet is recognised by
    /// its content, whatever the file's name).
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// Which box of the peeling trajectory to report (0 = every trial; default: the box
    /// with the best F1 score of coverage and density).
    #[arg(long = "box", value_name = "K")]
    pub box_index: Option<usize>,
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
    /// as `--set KEY=VALUE`. Give it twice for a grid over two keys (every pair of values,
    /// at most 1,000 in all), drawn as heat maps.
    #[arg(long, value_name = "KEY=FROM:TO:STEPS", required = true)]
    pub param: Vec<String>,
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

/// `defsim explore`.
#[derive(Debug, Args)]
#[command(
    mut_arg("trials", |a| a.help(
        "Number of trials per policy (default: the experiment's `trials`, else the scenario's \
         `scenario.trials`)"
    )),
    mut_arg("seed", |a| a.help(
        "Seed of the random numbers (default: the experiment's `seed`, else the scenario's \
         `scenario.seed`)"
    )),
    mut_arg("out", |a| a.help("Output folder (default: output/explore-<experiment name>/)")),
)]
pub struct ExploreArgs {
    /// The experiment file (TOML with [experiment] and [levers]).
    pub experiment: PathBuf,
    #[command(flatten)]
    pub sim: SimArgs,
    /// Accept more than 10,000 policies.
    #[arg(long)]
    pub force: bool,
    /// Run only shard K of N (0 <= K < N): every policy on the shard's deterministic share of
    /// the trial blocks (the split of `run --shard`), written as DIR/part-K-of-N.defsim only
    /// (DIR: --out or output/explore-<name>/; several shards may share it). Merge the N parts
    /// with `defsim merge PARTS... --out OUT`.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<ShardPlan>,
    /// Skip the plots; explore.html is still written, without them.
    #[arg(long)]
    pub no_plots: bool,
}

/// `defsim validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario files or experiment files (TOML; an experiment file has an [experiment]
    /// table: its scenario is checked under every policy).
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// Accept experiment files with more than 10,000 policies.
    #[arg(long)]
    pub force: bool,
    /// Print each resolved scenario: every parameter with its distribution and source.
    #[arg(long)]
    pub print: bool,
    /// Override one key after `extends` is resolved (the value is TOML). Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// `defsim check`.
#[derive(Debug, Args)]
#[command(
    mut_arg("trials", |a| a.help("Number of trials (default: the baseline's trial count)")),
    mut_arg("seed", |a| a.help("Seed of the random numbers (default: the baseline's seed)")),
    mut_arg("out", |a| a.help(
        "Also write the re-run's summary.json, summary.csv and timeseries.csv to this folder \
         (e.g. as a CI artifact); without it check writes no folder"
    )),
)]
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
    /// Also write the verdict as JSON to FILE (whole: a staging file, then a rename). An
    /// existing FILE is replaced only if it is a verdict defsim wrote, else exit 2.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Accept the re-run as the new baseline: rewrite (or create) the baseline file and say
    /// what changed. Exits 0 whatever moved.
    #[arg(long)]
    pub update: bool,
    /// Options of the re-run (their help above is check's own).
    #[command(flatten)]
    pub sim: SimArgs,
}

/// `defsim trace`.
#[derive(Debug, Args)]
pub struct TraceArgs {
    /// The scenario file (TOML), or an experiment file with --policy.
    pub scenario: PathBuf,
    /// With an experiment file: replay the trial under policy I (0-based, the `policy`
    /// column of policies.csv), with the experiment's seed, exactly as inside `explore`.
    #[arg(long, value_name = "I")]
    pub policy: Option<usize>,
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
    /// Also write the trace to FILE as CSV (long form: kind, name, year, value), whole (a
    /// staging file, then a rename). An existing FILE is replaced only if it is a trace
    /// defsim wrote, else exit 2.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
}
