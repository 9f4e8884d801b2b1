//! Streaming `defsim run`: one shard of a run (`--shard K/N`), checkpoints (`--checkpoint`,
//! `--resume`), precision stopping (`--precision`) and the trial tables a streaming run
//! writes as it goes.

use std::fs;
use std::io::Write as _;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use indicatif::ProgressBar;
use serde::{Deserialize, Serialize};

use super::{print_headline, run_info, write_outputs};
use crate::analysis::drivers::{self, DRIVER_TRIALS, DriverSample};
use crate::analysis::precision::Precision;
use crate::analysis::run::{RunSummary, SummaryMeta};
use crate::app::{BadInput, Job, claim, commit, out_dir, stage, warn_few_trials, writing};
use crate::cli::{RunArgs, SamplingDesign, SimArgs};
use crate::engine::Schema;
use crate::engine::stream::{self, ShardPlan, StreamStats};
use crate::engine::{Design, KeepInputs, LatinHypercube, Model};
use crate::export;
use crate::export::parquet::TrialsWriter;
use crate::export::part::{self, PartHeader, PartScenario};
use crate::export::plots::{Thresholds, Trials};
use crate::export::rows::{RowsInfo, RowsReader, RowsWriter};
use crate::export::staging;
use crate::model::ViabilityModel;

/// What a streaming run needs to be run again from its checkpoint: the command line,
/// resolved.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Invocation {
    scenario: PathBuf,
    set: Vec<String>,
    seed: Option<u64>,
    trials: Option<u64>,
    threads: usize,
    out: Option<PathBuf>,
    no_plots: bool,
    trials_csv: bool,
    trials_parquet: bool,
    design: String,
    shard: Option<ShardPlan>,
    checkpoint: bool,
    checkpoint_seconds: f64,
    precision: Vec<String>,
}

impl Invocation {
    pub(super) fn of(args: &RunArgs, path: &Path) -> Invocation {
        Invocation {
            scenario: path.to_path_buf(),
            set: args.sim.set.clone(),
            seed: args.sim.seed,
            trials: args.sim.trials,
            threads: args.sim.threads,
            out: args.sim.out.clone(),
            no_plots: args.no_plots,
            trials_csv: args.trials_csv,
            trials_parquet: args.trials_parquet,
            design: args.design.name().to_string(),
            shard: args.shard,
            checkpoint: args.checkpoint,
            checkpoint_seconds: args.checkpoint_seconds,
            precision: args.precision.clone(),
        }
    }

    fn sim(&self) -> SimArgs {
        SimArgs {
            trials: self.trials,
            seed: self.seed,
            threads: self.threads,
            out: self.out.clone(),
            set: self.set.clone(),
        }
    }

    fn design(&self) -> SamplingDesign {
        SamplingDesign::from_name(&self.design).unwrap_or(SamplingDesign::Mc)
    }
}

/// The checkpoint folder of output folder `target`: `DIR.checkpoint` beside it.
pub fn checkpoint_dir(target: &Path) -> PathBuf {
    let mut name = target
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "out".into());
    name.push(".checkpoint");
    target.with_file_name(name)
}

/// What the scenario gives a part header.
fn part_scenario(job: &Job, invocation: &Invocation) -> PartScenario {
    let meta = SummaryMeta::of(&job.scenario);
    let schema = job.schema();
    let thresholds = schema
        .criteria()
        .map(|(_, c)| {
            let value = job
                .scenario
                .params
                .iter()
                .find(|e| e.key == c.threshold)
                .and_then(|e| e.param.fixed_value());
            (c.threshold.clone(), value)
        })
        .collect();
    PartScenario {
        info: meta.scenario,
        start_year: meta.start_year,
        horizon_years: meta.horizon_years,
        parameters: meta.parameters,
        thresholds,
        scenario_file: invocation.scenario.display().to_string(),
        overrides: invocation.set.clone(),
    }
}

/// The thresholds recorded in a part.
pub fn part_thresholds(s: &PartScenario, schema: &crate::engine::Schema) -> Thresholds {
    Thresholds::new(schema, |key| {
        s.thresholds
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| *v)
    })
}

/// The trial tables (`trials.csv`, `trials.parquet`) a run writes, fed rows in trial order.
pub(crate) struct TrialTables {
    target: PathBuf,
    csv: Option<export::csv::TrialsCsv>,
    parquet: Option<TrialsWriter>,
    inputs: usize,
}

impl TrialTables {
    /// The tables asked for, created in the staging folder `dir` of `target`.
    pub(crate) fn create(
        target: &Path,
        dir: &Path,
        schema: &Schema,
        seed: u64,
        csv: bool,
        parquet: bool,
    ) -> Result<TrialTables> {
        Ok(TrialTables {
            target: target.to_path_buf(),
            csv: if csv {
                Some(
                    export::csv::TrialsCsv::create(&dir.join("trials.csv"), schema)
                        .with_context(|| writing(target, "trials.csv"))?,
                )
            } else {
                None
            },
            parquet: if parquet {
                Some(
                    TrialsWriter::create(&dir.join("trials.parquet"), schema, seed)
                        .with_context(|| writing(target, "trials.parquet"))?,
                )
            } else {
                None
            },
            inputs: schema.inputs.len(),
        })
    }

    /// Appends the trials `first ..`: the input columns, then the outcome columns.
    pub(crate) fn append(&mut self, first: u64, columns: &[&[f64]]) -> Result<()> {
        if let Some(c) = self.csv.as_mut() {
            c.append(first, columns)
                .with_context(|| writing(&self.target, "trials.csv"))?;
        }
        if let Some(p) = self.parquet.as_mut() {
            let (ins, outs) = columns.split_at(self.inputs);
            p.write(first, ins, outs)
                .with_context(|| writing(&self.target, "trials.parquet"))?;
        }
        Ok(())
    }

    /// Appends every row that `rows` holds; `what` names their file in a message.
    pub(crate) fn replay<R: std::io::Read>(
        &mut self,
        rows: &mut RowsReader<R>,
        what: &Path,
    ) -> Result<()> {
        while let Some((first, columns)) = rows
            .next_chunk()
            .with_context(|| format!("{}: cannot read its trial rows", what.display()))?
        {
            let columns: Vec<&[f64]> = columns.iter().map(|c| c.as_slice()).collect();
            self.append(first, &columns)?;
        }
        Ok(())
    }

    /// Completes the files.
    pub(crate) fn finish(self) -> Result<()> {
        if let Some(c) = self.csv {
            c.finish()
                .with_context(|| writing(&self.target, "trials.csv"))?;
        }
        if let Some(p) = self.parquet {
            p.finish()
                .with_context(|| writing(&self.target, "trials.parquet"))?;
        }
        Ok(())
    }
}

/// A wave's columns: the inputs, then the outcomes.
fn wave_columns<'a>(w: &stream::WaveRows<'a>) -> Vec<&'a [f64]> {
    w.inputs
        .iter()
        .chain(w.outcomes)
        .map(|c| c.as_slice())
        .collect()
}

/// Where a streaming run's trial rows go.
enum Rows {
    /// No trial table asked for.
    None,
    /// Straight into the tables in the staging folder.
    Tables(TrialTables),
    /// Kept for later (a shard's into its part, a checkpointed run's beside its checkpoint).
    Kept(RowsWriter),
}

/// File of a checkpointed run's trial rows, in its checkpoint folder.
const CHECKPOINT_ROWS: &str = "rows.defsim-rows";

/// Writes the checkpoint of blocks `[0, next)` (and syncs the rows it covers first).
fn save_checkpoint(
    cp: &Path,
    header: &PartHeader,
    (stats, sample): (&StreamStats, &DriverSample),
    next: u64,
    rows: &mut Rows,
    tables: (bool, bool),
) -> Result<()> {
    let mut h = header.clone();
    h.blocks = [0, next];
    if let Rows::Kept(w) = rows {
        h.rows = Some(
            w.sync(tables.0, tables.1)
                .context("cannot write the checkpoint's trial rows")?,
        );
    }
    part::write(&cp.join("checkpoint.defsim"), &h, stats, sample)
        .context("cannot write the checkpoint")
}

/// Runs `f` with one progress bar over `trials` trials (drawn when `show`), cleared
/// whatever `f` returns.
fn with_bar<T>(show: bool, trials: u64, f: impl FnOnce(&ProgressBar) -> T) -> T {
    let bar = stream::progress_bar(show, trials);
    let out = f(&bar);
    bar.finish_and_clear();
    out
}

/// Blocks per wave, at least, while the drivers' trials are simulated with their rows (the
/// rows of a wave are held twice at its end: 4 blocks of the baseline are about 6 MB).
const DRIVER_WAVE_BLOCKS: u64 = 4;

/// [`stream::stream`] over `blocks` into `stats`, also keeping in `sample` the trials of
/// the run's first `min(trials, DRIVER_TRIALS)` that the blocks hold (the drivers' inputs
/// and outcomes), which `after_wave` sees too. The blocks that hold such trials are
/// simulated with their rows (a first call), the others only with `rows`, as the caller
/// asked; both calls count their trials on the one progress `bar` of the run (which the
/// caller clears). With `aligned`
/// (precision stopping, whose checks after each wave decide where the run stops) the first
/// call runs whole waves of `wave_blocks`, so every wave ends where it would anyway; without,
/// it runs small waves over the drivers' blocks alone (where waves end changes no result: the
/// statistics merge exactly), so the rows held at once stay small.
#[allow(clippy::too_many_arguments)] // stream's arguments, and the sample
fn stream_keeping_drivers(
    model: &ViabilityModel,
    o: &crate::engine::RunOptions,
    design: Option<&dyn Design>,
    blocks: std::ops::Range<u64>,
    (stats, sample): (&mut StreamStats, &mut DriverSample),
    rows: bool,
    (wave_blocks, aligned): (u64, bool),
    bar: &ProgressBar,
    mut after_wave: impl FnMut(
        &StreamStats,
        &DriverSample,
        u64,
        Option<stream::WaveRows<'_>>,
    ) -> ControlFlow<()>,
) -> Result<u64, crate::engine::TrialError> {
    let schema = model.schema();
    let wave = wave_blocks.max(1);
    let driver_blocks = stream::block_count(o.trials.min(DRIVER_TRIALS));
    let threads = crate::app::worker_threads(o.threads);
    let (split, first_wave) = if blocks.start >= driver_blocks {
        (blocks.start, wave)
    } else if aligned {
        let whole = (driver_blocks - blocks.start).div_ceil(wave) * wave;
        ((blocks.start + whole).min(blocks.end), wave)
    } else {
        let small = (threads as u64).max(DRIVER_WAVE_BLOCKS).min(wave);
        (driver_blocks.min(blocks.end), small)
    };
    let stopped = std::cell::Cell::new(false);
    let mut on_wave = |s: &StreamStats, next: u64, w: Option<stream::WaveRows<'_>>| {
        if let Some(w) = &w {
            sample.keep(schema, o.trials, w.first, w.inputs, w.outcomes);
        }
        let flow = after_wave(s, sample, next, w.filter(|_| rows));
        if flow.is_break() {
            stopped.set(true);
        }
        flow
    };
    let mut next = blocks.start;
    if split > blocks.start {
        next = stream::stream(
            model,
            o,
            design,
            blocks.start..split,
            stats,
            (true, first_wave),
            bar,
            &mut on_wave,
        )?;
    }
    if split < blocks.end && !stopped.get() {
        next = stream::stream(
            model,
            o,
            design,
            split..blocks.end,
            stats,
            (rows, wave),
            bar,
            &mut on_wave,
        )?;
    }
    Ok(next)
}

/// What a checkpoint gives the run it resumes: the next block, the statistics, the drivers'
/// sample and the trial rows kept so far.
pub(super) type Resumed = (u64, StreamStats, DriverSample, Option<RowsInfo>);

/// A streaming run (whole, one shard, or resumed from `resumed`: its checkpoint's next
/// block, statistics, drivers' sample and trial rows).
pub(super) fn run_streaming(
    invocation: &Invocation,
    job: Job,
    resumed: Option<Resumed>,
) -> Result<()> {
    let started = Instant::now();
    let design = invocation.design();
    let model = ViabilityModel::new(&job.scenario);
    let schema = model.schema().clone();
    let o = &job.options;
    let precision = Precision::parse(&invocation.precision, &schema).map_err(BadInput)?;
    if precision.is_some() {
        anyhow::ensure!(
            invocation.shard.is_none(),
            BadInput(
                "--precision cannot be used with --shard: each shard would stop on its own".into()
            )
        );
        anyhow::ensure!(
            design == SamplingDesign::Mc,
            BadInput("--precision cannot be used with --design lhs: a Latin hypercube is stratified over the whole trial count".into())
        );
    }
    let tables = (invocation.trials_csv, invocation.trials_parquet);
    let wants_rows = tables.0 || tables.1;
    let columns = schema.inputs.len() + schema.outcomes.len();
    let lhs = (design == SamplingDesign::Lhs)
        .then(|| LatinHypercube::new(o.trials, schema.inputs.len(), o.seed));
    let design_ref: Option<&dyn Design> = lhs.as_ref().map(|d| d as &dyn Design);
    let scenario = part_scenario(&job, invocation);
    let mut header = PartHeader {
        format: part::FORMAT,
        kind: if invocation.shard.is_some() {
            "shard".into()
        } else {
            "checkpoint".into()
        },
        defsim_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario,
        schema: schema.clone(),
        seed: o.seed,
        trials: o.trials,
        design: design.name().to_string(),
        n: 1,
        k: 0,
        blocks: [0, 0],
        body_bytes: 0,
        body_sha256: String::new(),
        rows: None,
    };

    // Shard: only the part, into the shared folder.
    if let Some(plan) = invocation.shard {
        let dir = out_dir(&invocation.sim(), &job.scenario.name);
        let file = part::claim_shard(&dir, plan).map_err(|r| BadInput(r.0))?;
        let blocks = plan.blocks(o.trials);
        let range = plan.trials(o.trials);
        crate::out::note!(
            "shard {}/{}: trials {}..{} of {} ({} blocks), seed {}",
            plan.k,
            plan.n,
            range.start,
            range.end,
            o.trials,
            blocks.end - blocks.start,
            o.seed
        );
        let scratch = if wants_rows {
            let (scratch, f) = staging::ScratchFile::create(&file)
                .with_context(|| format!("cannot write beside {}", file.display()))?;
            Some((scratch, RowsWriter::new(f, range.start, columns)))
        } else {
            None
        };
        let (scratch, mut rows) = match scratch {
            Some((s, w)) => (Some(s), Rows::Kept(w)),
            None => (None, Rows::None),
        };
        let mut failure: Option<anyhow::Error> = None;
        let mut stats = StreamStats::new(&schema);
        let mut sample = DriverSample::new(&schema, range.start);
        with_bar(o.progress, range.end - range.start, |bar| {
            stream_keeping_drivers(
                &model,
                o,
                design_ref,
                blocks.clone(),
                (&mut stats, &mut sample),
                wants_rows,
                (stream::WAVE_BLOCKS, false),
                bar,
                |_, _, _, wave| {
                    if let (Some(w), Rows::Kept(r)) = (wave, &mut rows)
                        && let Err(e) = r.append(w.first, &wave_columns(&w))
                    {
                        failure = Some(anyhow::Error::new(e).context("cannot keep the trial rows"));
                        return ControlFlow::Break(());
                    }
                    ControlFlow::Continue(())
                },
            )
        })?;
        if let Some(e) = failure {
            return Err(e);
        }
        header.n = plan.n;
        header.k = plan.k;
        header.blocks = [blocks.start, blocks.end];
        if let Rows::Kept(w) = &mut rows {
            header.rows = Some(w.sync(tables.0, tables.1)?);
        }
        part::write_with_rows(
            &file,
            &header,
            &stats,
            &sample,
            scratch.as_ref().map(|s| s.path()),
        )
        .with_context(|| format!("cannot write {}", file.display()))?;
        drop(scratch);
        crate::out::note!(
            "shard {}/{}: {} trials in {:.1} s -> {}",
            plan.k,
            plan.n,
            stats.trials,
            started.elapsed().as_secs_f64(),
            file.display()
        );
        return Ok(());
    }

    // Whole run (possibly checkpointed, possibly resumed).
    let target = out_dir(&invocation.sim(), &job.scenario.name);
    claim(&target)?;
    warn_few_trials(o.trials);
    let checkpoint = invocation.checkpoint.then(|| checkpoint_dir(&target));
    // From here a checkpointed run handles SIGINT/SIGTERM itself: checkpoint, then exit 130.
    let deferral = checkpoint.as_ref().map(|_| staging::defer_interrupts());
    let (mut stats, mut sample, first_block, kept_rows) = match resumed {
        Some((next, s, d, rows)) => (s, d, next, rows),
        None => {
            if let Some(cp) = &checkpoint {
                anyhow::ensure!(
                    !cp.exists(),
                    BadInput(format!(
                        "{} exists: continue that run with `defsim run --resume {}`, or remove it",
                        cp.display(),
                        cp.display()
                    ))
                );
                fs::create_dir_all(cp)
                    .with_context(|| format!("cannot create {}", cp.display()))?;
                staging::write_atomic_with(&cp.join("invocation.json"), |f| {
                    f.write_all(export::json::to_text(invocation).as_bytes())
                })
                .with_context(|| format!("cannot write {}", cp.display()))?;
            }
            (
                StreamStats::new(&schema),
                DriverSample::new(&schema, 0),
                0,
                None,
            )
        }
    };
    let staging = stage(&target)?;
    let dir = staging.path().to_path_buf();
    let mut rows = match (&checkpoint, wants_rows) {
        (_, false) => Rows::None,
        (None, true) => Rows::Tables(TrialTables::create(
            &target, &dir, &schema, o.seed, tables.0, tables.1,
        )?),
        (Some(cp), true) => {
            let path = cp.join(CHECKPOINT_ROWS);
            let file = fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(kept_rows.is_none())
                .open(&path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            Rows::Kept(match &kept_rows {
                Some(info) => RowsWriter::resume(file, info, columns)
                    .map_err(|e| BadInput(format!("{}: cannot resume: {e}", path.display())))?,
                None => RowsWriter::new(file, 0, columns),
            })
        }
    };
    let total_blocks = stream::block_count(o.trials);
    let sim_start = Instant::now();
    let mut last_checkpoint = Instant::now();
    let mut failure: Option<anyhow::Error> = None;
    let mut reached = false;
    let mut interrupted = false;
    let todo = stream::blocks_trials(&(first_block..total_blocks), o.trials);
    let next = with_bar(o.progress, todo.end - todo.start, |bar| {
        stream_keeping_drivers(
            &model,
            o,
            design_ref,
            first_block..total_blocks,
            (&mut stats, &mut sample),
            wants_rows,
            if precision.is_some() {
                (crate::analysis::precision::CHECK_BLOCKS, true)
            } else {
                (stream::WAVE_BLOCKS, false)
            },
            bar,
            |stats, sample, next, wave| {
                if let Some(w) = wave {
                    let kept = match &mut rows {
                        Rows::None => Ok(()),
                        Rows::Tables(t) => t.append(w.first, &wave_columns(&w)),
                        Rows::Kept(r) => r
                            .append(w.first, &wave_columns(&w))
                            .context("cannot keep the trial rows"),
                    };
                    if let Err(e) = kept {
                        failure = Some(e);
                        return ControlFlow::Break(());
                    }
                }
                if let Some(p) = &precision
                    && p.reached(stats, &schema)
                {
                    reached = true;
                    return ControlFlow::Break(());
                }
                if let Some(cp) = &checkpoint {
                    let asked = staging::interrupt_requested();
                    if asked
                        || (next < total_blocks
                            && last_checkpoint.elapsed().as_secs_f64()
                                >= invocation.checkpoint_seconds)
                    {
                        if let Err(e) =
                            save_checkpoint(cp, &header, (stats, sample), next, &mut rows, tables)
                        {
                            failure = Some(e);
                            return ControlFlow::Break(());
                        }
                        last_checkpoint = Instant::now();
                    }
                    if asked {
                        interrupted = true;
                        return ControlFlow::Break(());
                    }
                }
                ControlFlow::Continue(())
            },
        )
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    if let (Some(cp), Some(d)) = (&checkpoint, deferral) {
        let asked = d.end();
        if asked && !interrupted && !reached {
            // The signal came after the last wave's look: the whole simulation is done.
            save_checkpoint(cp, &header, (&stats, &sample), next, &mut rows, tables)?;
            interrupted = true;
        }
        if interrupted {
            staging::exit_interrupted(&format!(
                "checkpoint written ({} of {} trials); continue with `defsim run --resume {}`",
                stats.trials,
                o.trials,
                cp.display()
            ));
        }
        if asked {
            staging::exit_interrupted(&format!(
                "the last checkpoint is kept; continue with `defsim run --resume {}`",
                cp.display()
            ));
        }
        if !reached {
            // Killed while the outputs are written, the run resumes without simulating.
            save_checkpoint(cp, &header, (&stats, &sample), next, &mut rows, tables)?;
        }
    }
    let simulate_seconds = sim_start.elapsed().as_secs_f64();
    match rows {
        Rows::None => {}
        Rows::Tables(t) => t.finish()?,
        Rows::Kept(mut w) => {
            let info = w.sync(tables.0, tables.1)?;
            drop(w);
            let path = checkpoint
                .as_ref()
                .expect("kept rows belong to a checkpoint")
                .join(CHECKPOINT_ROWS);
            let file =
                fs::File::open(&path).with_context(|| format!("cannot read {}", path.display()))?;
            let mut reader = RowsReader::new(std::io::BufReader::new(file), &info, columns);
            let mut t = TrialTables::create(&target, &dir, &schema, o.seed, tables.0, tables.1)?;
            t.replay(&mut reader, &path)?;
            t.finish()?;
        }
    }
    let mut summary =
        RunSummary::from_stream(SummaryMeta::of(&job.scenario), &schema, o.seed, &stats);
    summary.design = design.name().to_string();
    summary.drivers = drivers::from_sample(&schema, &sample, stats.trials);
    if let Some(p) = &precision {
        summary.precision = Some(p.report(&stats, &schema, o.trials, reached));
    }
    let info = run_info(
        &invocation.scenario.display().to_string(),
        &invocation.set,
        &summary,
        invocation.threads,
        simulate_seconds,
        started,
    );
    write_outputs(
        &target,
        &dir,
        &summary,
        &schema,
        Trials::Streamed(&schema, &stats),
        &Thresholds::from_scenario(&schema, &job.scenario),
        invocation.no_plots,
        &info,
    )?;
    let written = commit(staging)?;
    if let Some(cp) = &checkpoint {
        fs::remove_dir_all(cp).with_context(|| format!("cannot remove {}", cp.display()))?;
    }
    print_headline(&summary, &written);
    if let Some(p) = &summary.precision
        && !p.reached
    {
        eprintln!(
            "warning: the precision target was not reached within the cap of {} trials: {}",
            o.trials, p.note
        );
    }
    Ok(())
}

/// Simulates `job` in streaming mode, whole, and summarises it (as `run --streaming` does;
/// used by `check` for a baseline whose quantiles came from the sketch).
pub fn simulate_streaming(job: &Job, design: SamplingDesign) -> Result<RunSummary> {
    let model = ViabilityModel::new(&job.scenario);
    let schema = model.schema().clone();
    let o = &job.options;
    let lhs = (design == SamplingDesign::Lhs)
        .then(|| LatinHypercube::new(o.trials, schema.inputs.len(), o.seed));
    let design_ref: Option<&dyn Design> = lhs.as_ref().map(|d| d as &dyn Design);
    let mut stats = StreamStats::new(&schema);
    let mut sample = DriverSample::new(&schema, 0);
    with_bar(o.progress, o.trials, |bar| {
        stream_keeping_drivers(
            &model,
            o,
            design_ref,
            0..stream::block_count(o.trials),
            (&mut stats, &mut sample),
            false,
            (stream::WAVE_BLOCKS, false),
            bar,
            |_, _, _, _| ControlFlow::Continue(()),
        )
    })?;
    let mut summary =
        RunSummary::from_stream(SummaryMeta::of(&job.scenario), &schema, o.seed, &stats);
    summary.design = design.name().to_string();
    summary.drivers = drivers::from_sample(&schema, &sample, stats.trials);
    Ok(summary)
}

/// `defsim run --resume DIR.checkpoint`.
pub(super) fn resume(args: &RunArgs, checkpoint: &Path) -> Result<()> {
    let bad = |why: String| BadInput(format!("{}: {why}", checkpoint.display()));
    let text = fs::read_to_string(checkpoint.join("invocation.json"))
        .map_err(|e| bad(format!("not a checkpoint of defsim run --checkpoint ({e})")))?;
    let mut invocation: Invocation = serde_json::from_str(&text)
        .map_err(|e| bad(format!("invocation.json is not readable: {e}")))?;
    if args.sim.threads != 0 {
        invocation.threads = args.sim.threads;
    }
    let job = Job::load_limited(
        &invocation.scenario,
        &invocation.sim(),
        KeepInputs::None,
        None,
    )?;
    let file = checkpoint.join("checkpoint.defsim");
    let resumed = if file.exists() {
        let (header, body) = part::read(&file).map_err(|e| BadInput(e.to_string()))?;
        let hash = job.scenario.resolved_sha256();
        let mismatch = if header.defsim_version != env!("CARGO_PKG_VERSION") {
            Some(format!(
                "it was written by defsim {}, this is {}",
                header.defsim_version,
                env!("CARGO_PKG_VERSION")
            ))
        } else if header.scenario.info.resolved_sha256 != hash {
            Some(format!(
                "it is of another scenario (resolved SHA-256 {}, {} now resolves to {hash})",
                header.scenario.info.resolved_sha256,
                invocation.scenario.display()
            ))
        } else if header.seed != job.options.seed || header.trials != job.options.trials {
            Some("its seed or trial count differs from the run's".into())
        } else {
            None
        };
        if let Some(why) = mismatch {
            return Err(bad(format!("cannot resume: {why}")).into());
        }
        let done = header.blocks[1]
            .saturating_mul(stream::BLOCK as u64)
            .min(header.trials);
        let wants_rows = invocation.trials_csv || invocation.trials_parquet;
        if wants_rows
            && header
                .rows
                .as_ref()
                .is_none_or(|r| r.first != 0 || r.end != done)
        {
            return Err(bad(
                "cannot resume: its trial rows are missing or do not match its \
                            statistics"
                    .into(),
            )
            .into());
        }
        crate::out::note!(
            "resuming {}: {} of {} trials done",
            invocation.scenario.display(),
            done,
            header.trials
        );
        Some((
            header.blocks[1],
            body.stats,
            body.drivers,
            header.rows.filter(|_| wants_rows),
        ))
    } else {
        // Killed before the first checkpoint: start again.
        crate::out::note!(
            "{}: no checkpoint written yet; starting the run again",
            checkpoint.display()
        );
        let schema = ViabilityModel::new(&job.scenario).schema().clone();
        Some((
            0,
            StreamStats::new(&schema),
            DriverSample::new(&schema, 0),
            None,
        ))
    };
    staging::remove_stale(&file);
    run_streaming(&invocation, job, resumed)
}

#[cfg(test)]
mod tests;
