//! Several models on the same futures, their random draws made once per trial and shared.
//!
//! A [`Family`] is a set of members (the policies of an experiment) that differ only in
//! what they do with a trial's draws. For each trial the engine reseeds the family's
//! streams once, the family draws what its members share (the annual shocks, the
//! uncertain parameters) once, and then every member simulates the trial from those draws.
//! Trials run in blocks of [`BLOCK`] in parallel; each block fills its own slice of every
//! member's kept columns, so the columns do not depend on the number of threads.
//! [`run_family`] can run a contiguous range of the blocks (a shard), its columns then
//! holding that range's trials only.

use rayon::prelude::*;

use super::run::BLOCK;
use super::{Streams, TrialError};

/// Members that simulate the same trials from draws made once per trial.
pub trait Family: Sync {
    /// Per-thread scratch: the shared draws and every member's state.
    type Worker: Send;

    /// Names of the streams the shared draws come from (each keyed by seed, trial and
    /// name, as in [`Streams`]).
    fn streams(&self) -> &[String];

    /// Number of members.
    fn members(&self) -> usize;

    /// Number of outcomes each member writes.
    fn outcome_count(&self) -> usize;

    /// Allocates the scratch for one thread.
    fn worker(&self) -> Self::Worker;

    /// Draws the trial's shared draws from the freshly seeded `streams`.
    fn draw(&self, worker: &mut Self::Worker, streams: &mut Streams);

    /// Simulates member `member` on the trial's shared draws and writes its outcomes. A
    /// non-finite value is returned as (what, value), `what` naming the member.
    fn simulate(
        &self,
        worker: &mut Self::Worker,
        member: usize,
        outcomes: &mut [f64],
    ) -> Result<(), (String, f64)>;
}

/// How to run a family.
#[derive(Debug, Clone)]
pub struct FamilyRun<'a> {
    /// Seed of the run.
    pub seed: u64,
    /// Number of trials per member.
    pub trials: u64,
    /// Worker threads (0: all cores).
    pub threads: usize,
    /// The outcomes kept per member (indices into a member's outcomes), in this order.
    pub keep: &'a [usize],
    /// The blocks to run (indices of blocks of [`BLOCK`] trials, a range); `None`: all of
    /// them.
    pub blocks: Option<std::ops::Range<u64>>,
}

/// One block's share of the columns: `cols[member][kept]`, a slice of the block's trials.
struct Slot<'a> {
    first: u64,
    len: usize,
    cols: Vec<Vec<&'a mut [f64]>>,
}

/// Runs every member of `family` on trials `0..run.trials` (or on the trials of the blocks
/// named), the draws of each trial made once and shared. Returns
/// `columns[member][kept][i]`, `i` counting the trials run from the first one run.
/// `on_block(trials)` is called after each block with its trial count (for a progress bar
/// counting member-trials, multiply by the members). A non-finite outcome stops the run
/// with the first failing trial in trial order.
pub fn run_family<F: Family>(
    family: &F,
    run: &FamilyRun,
    on_block: &(dyn Fn(u64) + Sync),
) -> Result<Vec<Vec<Vec<f64>>>, TrialError> {
    let total = usize::try_from(run.trials).expect("trial count fits in memory");
    let all = 0..total.div_ceil(BLOCK) as u64;
    let blocks = run.blocks.clone().unwrap_or(all.clone());
    let blocks = blocks.start.min(all.end)..blocks.end.min(all.end);
    let start = (blocks.start as usize * BLOCK).min(total);
    let n = (blocks.end as usize * BLOCK).min(total) - start;
    let members = family.members();
    let mut columns: Vec<Vec<Vec<f64>>> = (0..members)
        .map(|_| super::zeroed_columns(run.keep.len(), n))
        .collect();
    let mut slots: Vec<Slot> = (0..n.div_ceil(BLOCK))
        .map(|b| Slot {
            first: (start + b * BLOCK) as u64,
            len: BLOCK.min(n - b * BLOCK),
            cols: (0..members).map(|_| Vec::new()).collect(),
        })
        .collect();
    for (m, member) in columns.iter_mut().enumerate() {
        for column in member.iter_mut() {
            for (slot, chunk) in slots.iter_mut().zip(column.chunks_mut(BLOCK)) {
                slot.cols[m].push(chunk);
            }
        }
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(run.threads)
        .build()
        .expect("a thread pool can be built");
    let errors: Vec<Option<TrialError>> = pool.install(|| {
        slots
            .into_par_iter()
            .map(|slot| {
                let len = slot.len as u64;
                let r = run_slot(family, run, slot);
                on_block(len);
                r.err()
            })
            .collect()
    });
    if let Some(e) = errors.into_iter().flatten().next() {
        return Err(e);
    }
    Ok(columns)
}

/// Simulates one block: per trial, one reseed and one draw, then every member.
fn run_slot<F: Family>(family: &F, run: &FamilyRun, mut slot: Slot) -> Result<(), TrialError> {
    let mut worker = family.worker();
    let mut streams = Streams::new(family.streams());
    let mut outcomes = vec![0.0; family.outcome_count()];
    for i in 0..slot.len {
        let trial = slot.first + i as u64;
        streams.reseed(run.seed, trial);
        family.draw(&mut worker, &mut streams);
        for (m, cols) in slot.cols.iter_mut().enumerate() {
            family
                .simulate(&mut worker, m, &mut outcomes)
                .map_err(|(what, value)| TrialError {
                    seed: run.seed,
                    trial,
                    what,
                    value,
                })?;
            for (col, &k) in cols.iter_mut().zip(run.keep) {
                col[i] = outcomes[k];
            }
        }
    }
    Ok(())
}
