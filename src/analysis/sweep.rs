//! Sweeps (`defsim sweep`): one key of a scenario set to evenly spaced values (or two keys
//! over the grid of their values), each run with the same seed and trial count (common
//! random numbers), so the differences between steps come from the keys, not from sampling
//! noise.
//!
//! [`Grid::parse`] reads `KEY=FROM:TO:STEPS` (STEPS points, both ends included). Each point
//! is applied as `--set KEY=VALUE` with VALUE written by [`Grid::texts`]: a step's result is
//! exactly that of `defsim run --set KEY=VALUE` with the same seed and trials.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::stats::{OutcomeStats, Proportion};

/// The values a sweep visits.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// The dotted key path.
    pub key: String,
    /// The values, from FROM to TO.
    pub values: Vec<f64>,
}

impl Grid {
    /// Parses `KEY=FROM:TO:STEPS`; the error says what is wrong and shows the expected form.
    ///
    /// ```
    /// let g = defsim::analysis::sweep::Grid::parse("plan.oversight=0:1:5").unwrap();
    /// assert_eq!(g.values, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    /// assert_eq!(g.texts()[1], "plan.oversight=0.25");
    /// ```
    pub fn parse(raw: &str) -> Result<Grid, String> {
        let bad = |what: String| {
            format!("--param {raw}: {what} (expected KEY=FROM:TO:STEPS, e.g. plan.oversight=0:1:5)")
        };
        let (key, range) = raw
            .split_once('=')
            .ok_or_else(|| bad("there is no `=`".into()))?;
        let key = key.trim();
        if key.is_empty() || key.split('.').any(str::is_empty) {
            return Err(bad(format!("`{key}` is not a dotted key path")));
        }
        let parts: Vec<&str> = range.split(':').map(str::trim).collect();
        let [from, to, steps] = parts[..] else {
            return Err(bad(format!(
                "expected three parts FROM:TO:STEPS, found {}",
                parts.len()
            )));
        };
        let number = |name: &str, s: &str| -> Result<f64, String> {
            match s.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(v),
                _ => Err(bad(format!("{name} must be a finite number, found `{s}`"))),
            }
        };
        let (from, to) = (number("FROM", from)?, number("TO", to)?);
        let steps: usize = match steps.parse() {
            Ok(n) if n >= 2 => n,
            _ => {
                return Err(bad(format!(
                    "STEPS must be a whole number >= 2 (both ends are included), found `{steps}`"
                )));
            }
        };
        if steps > 1000 {
            return Err(bad(format!("STEPS must be at most 1000, found {steps}")));
        }
        let values = (0..steps)
            .map(|i| {
                if i == steps - 1 {
                    to
                } else {
                    tidy(from + (to - from) * i as f64 / (steps - 1) as f64)
                }
            })
            .collect();
        Ok(Grid {
            key: key.to_string(),
            values,
        })
    }

    /// The `--set` override of each value (`key=value`, the shortest text that reads back as
    /// the value).
    pub fn texts(&self) -> Vec<String> {
        self.values
            .iter()
            .map(|v| format!("{}={}", self.key, value_text(*v)))
            .collect()
    }
}

/// The value written in a `--set` (`0.25`, `1`, `1e-7`): the shortest decimal that reads
/// back as `v`. Integral values are written without a decimal point (TOML integers), which
/// the scenario loader accepts for any numeric key.
pub fn value_text(v: f64) -> String {
    if v.abs() >= 1e15 {
        // `{}` would write 1e20 as a 21-digit integer, which TOML cannot hold.
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// Rounds away the binary noise of `from + step * i` (0.30000000000000004 -> 0.3): 12
/// significant digits are far below any parameter's precision.
fn tidy(v: f64) -> f64 {
    if v == 0.0 {
        return 0.0;
    }
    format!("{v:.11e}").parse().unwrap_or(v)
}

/// The most runs one sweep makes (points of its grid).
pub const MAX_POINTS: usize = 1000;

/// The points of a sweep over one grid or two: one value per point, or (in odometer order,
/// the second key changing fastest) a pair. Errors when there are more than two grids, the
/// same key twice, or more than [`MAX_POINTS`] points.
pub fn points(grids: &[Grid]) -> Result<Vec<(f64, Option<f64>)>, String> {
    match grids {
        [a] => Ok(a.values.iter().map(|&v| (v, None)).collect()),
        [a, b] => {
            if a.key == b.key {
                return Err(format!(
                    "--param {} is given twice: a two-key sweep needs two different keys",
                    a.key
                ));
            }
            let n = a.values.len() * b.values.len();
            if n > MAX_POINTS {
                return Err(format!(
                    "--param {} x --param {}: {} x {} = {n} runs is more than {MAX_POINTS}; \
                     give fewer steps",
                    a.key,
                    b.key,
                    a.values.len(),
                    b.values.len()
                ));
            }
            Ok(a.values
                .iter()
                .flat_map(|&x| b.values.iter().map(move |&y| (x, Some(y))))
                .collect())
        }
        [] => Err("sweep needs --param KEY=FROM:TO:STEPS".into()),
        _ => Err(format!(
            "sweep takes one or two --param (a line or a grid), found {}",
            grids.len()
        )),
    }
}

/// One step of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// The key's value.
    pub value: f64,
    /// The override applied (`key=value`).
    pub set: String,
    /// A two-key sweep: the second key's value (absent from a one-key `sweep.json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value2: Option<f64>,
    /// A two-key sweep: the second override applied (`key2=value2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set2: Option<String>,
    /// Probabilities, as in `summary.json`.
    pub probabilities: IndexMap<String, Proportion>,
    /// Every outcome's statistics, as in `summary.json`.
    pub outcomes: IndexMap<String, OutcomeStats>,
}

/// The content of `sweep.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    /// Scenario name.
    pub scenario: String,
    /// Scenario file name.
    pub file: String,
    /// Scenario description.
    pub description: String,
    /// The swept key (the first key of a two-key sweep: the grid's rows).
    pub key: String,
    /// A two-key sweep: the second key (the grid's columns; absent from a one-key
    /// `sweep.json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key2: Option<String>,
    /// The common seed.
    pub seed: u64,
    /// The common trial count.
    pub trials: u64,
    /// Outcomes chosen for the CSV and the plots.
    pub chosen: Vec<String>,
    /// Name of the model's headline probability (every criterion met: `viable`), shown
    /// first in the table, the CSV and the page. Not written to `sweep.json`, whose
    /// `probabilities` hold it under its own name.
    #[serde(skip)]
    pub headline: String,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// A two-key sweep as a grid: the first key's values, the second's, and the step at each
/// pair (`cells[i][j]`).
pub type SweepGrid<'a> = (Vec<f64>, Vec<f64>, Vec<Vec<&'a Step>>);

impl Sweep {
    /// The distinct values of the first and the second key, in grid order (a two-key
    /// sweep), and `cells[i][j]`: the step at the first key's value `i` and the second's `j`.
    pub fn grid(&self) -> Option<SweepGrid<'_>> {
        self.key2.as_ref()?;
        let mut xs: Vec<f64> = Vec::new();
        let mut ys: Vec<f64> = Vec::new();
        for s in &self.steps {
            if !xs.contains(&s.value) {
                xs.push(s.value);
            }
            let y = s.value2?;
            if !ys.contains(&y) {
                ys.push(y);
            }
        }
        let cells = xs
            .iter()
            .map(|x| {
                ys.iter()
                    .map(|y| {
                        self.steps
                            .iter()
                            .find(|s| s.value == *x && s.value2 == Some(*y))
                    })
                    .collect::<Option<Vec<&Step>>>()
            })
            .collect::<Option<Vec<_>>>()?;
        Some((xs, ys, cells))
    }

    /// The step's position in words: `plan.oversight = 0.5` or
    /// `plan.oversight = 0.5, plan.capex_scale = 1`.
    pub fn at(&self, step: &Step) -> String {
        match (&self.key2, step.value2) {
            (Some(k2), Some(v2)) => format!(
                "{} = {}, {k2} = {}",
                self.key,
                value_text(step.value),
                value_text(v2)
            ),
            _ => format!("{} = {}", self.key, value_text(step.value)),
        }
    }

    /// Whether the chosen outcome `name` is reported as a probability (a 0/1 outcome: a
    /// criterion or an analyst's `[criteria]` entry): its share of trials with a Wilson
    /// interval, rather than quantiles.
    pub fn is_probability(&self, name: &str) -> bool {
        self.steps
            .first()
            .is_some_and(|s| s.probabilities.contains_key(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_grids_cross_in_odometer_order() {
        let a = Grid::parse("plan.oversight=0:1:3").unwrap();
        let b = Grid::parse("plan.capex_scale=0.5:1:2").unwrap();
        let p = points(&[a.clone(), b.clone()]).unwrap();
        assert_eq!(
            p,
            vec![
                (0.0, Some(0.5)),
                (0.0, Some(1.0)),
                (0.5, Some(0.5)),
                (0.5, Some(1.0)),
                (1.0, Some(0.5)),
                (1.0, Some(1.0))
            ]
        );
        assert_eq!(points(std::slice::from_ref(&a)).unwrap().len(), 3);
        assert!(
            points(&[a.clone(), a.clone()])
                .unwrap_err()
                .contains("twice")
        );
        assert!(
            points(&[a.clone(), b.clone(), b.clone()])
                .unwrap_err()
                .contains("one or two --param")
        );
        let big = Grid::parse("plan.capex_scale=0.5:1:500").unwrap();
        assert!(points(&[a, big]).unwrap_err().contains("more than 1000"));
    }

    #[test]
    fn grids_include_both_ends_and_read_cleanly() {
        let g = Grid::parse("macro.trend_growth.mean=0.02:0.08:4").unwrap();
        assert_eq!(g.key, "macro.trend_growth.mean");
        assert_eq!(g.values, vec![0.02, 0.04, 0.06, 0.08]);
        let g = Grid::parse("plan.oversight = 0 : 0.3 : 4").unwrap();
        assert_eq!(
            g.texts(),
            vec![
                "plan.oversight=0",
                "plan.oversight=0.1",
                "plan.oversight=0.2",
                "plan.oversight=0.3"
            ]
        );
        let g = Grid::parse("x.y=1:0:2").unwrap();
        assert_eq!(g.values, vec![1.0, 0.0]);
    }

    #[test]
    fn bad_grids_say_what_is_wrong() {
        let cases = [
            ("plan.oversight", "no `=`"),
            ("=0:1:3", "not a dotted key path"),
            ("plan.oversight=0:1", "three parts"),
            ("plan.oversight=a:1:3", "FROM must be a finite number"),
            ("plan.oversight=0:inf:3", "TO must be a finite number"),
            ("plan.oversight=0:1:1", "STEPS must be a whole number >= 2"),
            (
                "plan.oversight=0:1:2.5",
                "STEPS must be a whole number >= 2",
            ),
            ("plan..oversight=0:1:3", "not a dotted key path"),
        ];
        for (raw, want) in cases {
            let e = Grid::parse(raw).unwrap_err();
            assert!(e.contains(want), "{raw}: {e}");
            assert!(e.contains("KEY=FROM:TO:STEPS"), "{raw}: {e}");
        }
    }
}
