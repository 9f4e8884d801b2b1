//! `--precision`: add trial blocks until every target's 95% half-width is reached.
//!
//! A target is `NAME=H` for a probability (a 0/1 outcome such as `viable` or a
//! `meets_*` criterion, or `breakeven_within_horizon`), whose half-width is half the
//! width of its 95% Wilson interval, or `OUTCOME.mean=H`, whose half-width is
//! `1.96 sd / sqrt(n)`. The run is checked after each wave of blocks (a fixed number of
//! blocks, so where it stops depends only on the statistics, never on the threads). It may
//! stop only after at least [`MIN_BLOCKS`] blocks and, for a probability, at least
//! [`MIN_EACH_SIDE`] trials on each side (so a rare event cannot stop the run after an empty
//! block). The trial count is the cap: reaching it without meeting a target is reported
//! plainly (exit 0, a warning).

use serde::{Deserialize, Serialize};

use crate::engine::stream::{BLOCK, StreamStats};
use crate::engine::{OutcomeKind, Schema};
use crate::stats::{Z95, proportion};

/// Blocks that must run before the run may stop.
pub const MIN_BLOCKS: u64 = 10;

/// Trials required on each side of a probability (hits and misses) before it may stop.
pub const MIN_EACH_SIDE: u64 = 10;

/// Blocks between two checks of the targets.
pub const CHECK_BLOCKS: u64 = 10;

/// One target.
#[derive(Debug, Clone, PartialEq)]
enum Target {
    /// A probability: the outcome index (or `None` for `breakeven_within_horizon`, counted
    /// from `breakeven_year`'s presence).
    Probability {
        name: String,
        outcome: usize,
        presence: bool,
        half_width: f64,
    },
    /// An outcome's mean.
    Mean {
        name: String,
        outcome: usize,
        half_width: f64,
    },
}

/// The parsed `--precision` targets.
#[derive(Debug, Clone, PartialEq)]
pub struct Precision {
    targets: Vec<Target>,
}

/// One target as `summary.json` records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrecisionTarget {
    /// `viable`, `independence.mean`, ...
    pub name: String,
    /// The half-width asked for.
    pub target: f64,
    /// The 95% half-width reached (`null` when undefined, e.g. a mean of fewer than 2 values).
    pub half_width: Option<f64>,
    /// Whether the target was met.
    pub met: bool,
}

/// What `--precision` did: `summary.json`'s `precision` and the report's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrecisionReport {
    /// Every target.
    pub targets: Vec<PrecisionTarget>,
    /// Trials run.
    pub trials: u64,
    /// The cap (the effective trial count).
    pub cap: u64,
    /// Whether every target was met (else the cap was reached first).
    pub reached: bool,
    /// One sentence.
    pub note: String,
}

impl Precision {
    /// Parses the `--precision` arguments (`None` when there are none).
    pub fn parse(args: &[String], schema: &Schema) -> Result<Option<Precision>, String> {
        if args.is_empty() {
            return Ok(None);
        }
        let index = |n: &str| schema.outcomes.iter().position(|o| o.name == n);
        let mut targets = Vec::new();
        for arg in args {
            let bad = |why: String| format!("--precision {arg}: {why}");
            let (name, value) = arg
                .split_once('=')
                .ok_or_else(|| bad("expected NAME=HALF_WIDTH, e.g. viable=0.002".into()))?;
            let name = name.trim();
            let h: f64 = value
                .trim()
                .parse()
                .ok()
                .filter(|h: &f64| h.is_finite() && *h > 0.0)
                .ok_or_else(|| bad(format!("`{value}` is not a positive half-width")))?;
            if let Some(outcome) = name.strip_suffix(".mean") {
                let o = index(outcome).ok_or_else(|| bad(format!("no outcome `{outcome}`")))?;
                targets.push(Target::Mean {
                    name: name.to_string(),
                    outcome: o,
                    half_width: h,
                });
            } else {
                anyhow_free_check(h < 0.5, || {
                    bad("a probability's half-width is below 0.5".into())
                })?;
                // An indicator (its share of 1s), or an optional outcome's presence.
                let indicator = schema
                    .outcomes
                    .iter()
                    .position(|o| o.name == name && o.is_indicator());
                let presence = schema.outcomes.iter().position(|o| {
                    matches!(&o.kind, OutcomeKind::Optional { presence, .. } if presence == name)
                });
                let (o, presence) = match (indicator, presence) {
                    (Some(o), _) => (o, false),
                    (None, Some(o)) => (o, true),
                    _ => {
                        return Err(bad(format!(
                            "`{name}` is not a probability ({}) nor OUTCOME.mean",
                            schema.probability_names().join(", ")
                        )));
                    }
                };
                targets.push(Target::Probability {
                    name: name.to_string(),
                    outcome: o,
                    presence,
                    half_width: h,
                });
            }
        }
        Ok(Some(Precision { targets }))
    }

    /// Each target's (name, asked half-width, reached half-width, met).
    fn evaluate(&self, stats: &StreamStats) -> Vec<PrecisionTarget> {
        let n = stats.trials;
        self.targets
            .iter()
            .map(|t| match t {
                Target::Probability {
                    name,
                    outcome,
                    presence,
                    half_width,
                } => {
                    let o = &stats.outcomes[*outcome];
                    let hits = if *presence { o.n } else { o.ones };
                    let p = proportion(hits, n);
                    let hw = (p.ci95[1] - p.ci95[0]) / 2.0;
                    let sides = hits >= MIN_EACH_SIDE && n - hits >= MIN_EACH_SIDE;
                    PrecisionTarget {
                        name: name.clone(),
                        target: *half_width,
                        half_width: Some(hw),
                        met: sides && hw <= *half_width,
                    }
                }
                Target::Mean {
                    name,
                    outcome,
                    half_width,
                } => {
                    let o = &stats.outcomes[*outcome];
                    let hw = o.sd().map(|sd| Z95 * sd / (o.n as f64).sqrt());
                    PrecisionTarget {
                        name: name.clone(),
                        target: *half_width,
                        half_width: hw,
                        met: hw.is_some_and(|hw| hw <= *half_width),
                    }
                }
            })
            .collect()
    }

    /// Whether the run may stop now.
    pub fn reached(&self, stats: &StreamStats, _schema: &Schema) -> bool {
        stats.trials >= MIN_BLOCKS * BLOCK as u64 && self.evaluate(stats).iter().all(|t| t.met)
    }

    /// The report of a finished run.
    pub fn report(
        &self,
        stats: &StreamStats,
        _schema: &Schema,
        cap: u64,
        reached: bool,
    ) -> PrecisionReport {
        let targets = self.evaluate(stats);
        let reached =
            reached || (stats.trials >= MIN_BLOCKS * BLOCK as u64 && targets.iter().all(|t| t.met));
        let list = targets
            .iter()
            .map(|t| {
                format!(
                    "{} ±{} (reached ±{})",
                    t.name,
                    t.target,
                    t.half_width.map_or("-".to_string(), |h| format!("{h:.6}"))
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let note = if reached {
            format!("targets met after {} trials: {list}", stats.trials)
        } else {
            format!("cap of {cap} trials reached before every target was met: {list}")
        };
        PrecisionReport {
            targets,
            trials: stats.trials,
            cap,
            reached,
            note,
        }
    }
}

/// `Err(make())` unless `ok`.
fn anyhow_free_check(ok: bool, make: impl FnOnce() -> String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(make()) }
}
