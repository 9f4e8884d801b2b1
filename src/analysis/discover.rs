//! `discover`: scenario discovery with PRIM. Which ranges of the uncertain inputs hold the
//! trials where a condition on outcomes is true (`viable == 1`)? The condition per trial
//! (the language of `[criteria]`: a comparison with an absent outcome is unknown, and a
//! condition that ends unknown does not hold) -> peeling trajectory ([`crate::stats::prim`], alpha
//! 0.05, minimum mass 0.05) -> the chosen box (default the best F1 of coverage and density)
//! with quasi-p-values.

use serde::Serialize;

use crate::stats::expr::{self, Expr};
use crate::stats::prim::{self, PrimBox, PrimOptions};

/// The `--where` condition: the language of `[criteria]` ([`crate::stats::expr`]), its
/// names resolved against a model's outcomes.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The condition in canonical form (`independence >= 0.35 and viable == 1`).
    pub text: String,
    /// The resolved expression: indices into the outcomes it was parsed against.
    pub expr: Expr<usize>,
    /// The outcomes it reads (indices, each once, ascending).
    pub used: Vec<usize>,
}

impl Condition {
    /// Parses `s` against the outcome names `outcomes`; the error points at the column.
    pub fn parse(s: &str, outcomes: &[String]) -> Result<Condition, String> {
        let bad = |e: expr::ExprError| {
            format!(
                "--where \"{s}\": column {}: {}\n{}\n(write conditions such as \"viable == 1\" \
                 or \"independence >= 0.35 and peak_fiscal_burden <= 0.02\")",
                e.column,
                e.message,
                e.pointer(s)
            )
        };
        let parsed = expr::parse(s).map_err(bad)?;
        let compiled = parsed
            .resolve(&mut |n| {
                outcomes.iter().position(|o| o == n).ok_or_else(|| {
                    format!("no outcome `{n}`; outcomes are {}", outcomes.join(", "))
                })
            })
            .map_err(bad)?;
        let mut used = compiled.indices();
        used.sort_unstable();
        used.dedup();
        Ok(Condition {
            text: parsed.to_string(),
            expr: compiled,
            used,
        })
    }

    /// Whether trial `t` meets the condition, `columns[k]` holding outcome `used[k]` of
    /// every trial: only a known true does (a comparison with an absent value is unknown).
    pub fn holds(&self, columns: &[Vec<f64>], t: usize) -> bool {
        self.expr
            .eval(&|i| {
                let k = self
                    .used
                    .iter()
                    .position(|&u| u == i)
                    .expect("a used outcome");
                columns[k][t]
            })
            .holds()
    }
}

impl std::fmt::Display for Condition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// One input's line of the chosen box.
#[derive(Debug, Serialize)]
pub struct Limit {
    /// The input's key.
    pub input: String,
    /// Lower limit of the box.
    pub lo: f64,
    /// Upper limit of the box.
    pub hi: f64,
    /// Whether the box restricts the input at all.
    pub restricted: bool,
    /// NaN (null) for an unrestricted input.
    pub quasi_p: f64,
    /// Smallest value in the data.
    pub data_lo: f64,
    /// Largest value in the data.
    pub data_hi: f64,
}

/// The content of `discover.json`.
#[derive(Debug, Serialize)]
pub struct Discovery {
    /// Scenario name.
    pub scenario: String,
    /// The condition, as `NAME OP VALUE`.
    pub condition: String,
    /// Where the trials came from.
    pub source: String,
    /// Trials analysed.
    pub trials: usize,
    /// Trials meeting the condition.
    pub cases: usize,
    /// PRIM's peeling fraction.
    pub peel_alpha: f64,
    /// PRIM's minimum box mass.
    pub min_mass: f64,
    /// Index of the chosen box in the trajectory.
    pub chosen_box: usize,
    /// How it was chosen.
    pub rule: &'static str,
    /// The chosen box.
    pub chosen: PrimBox,
    /// Each input's limits in the chosen box.
    pub limits: Vec<Limit>,
    /// The peeling trajectory, box 0 the whole data.
    pub trajectory: Vec<PrimBox>,
}

/// Finds the boxes of `x` (one column per input in `inputs`) where `y` holds; the chosen box
/// is `box_index` or the best F1 of coverage and density. The error names a box index
/// outside the trajectory.
pub fn discover(
    scenario: &str,
    condition: &Condition,
    source: String,
    inputs: &[String],
    x: &[&[f64]],
    y: &[bool],
    box_index: Option<usize>,
) -> Result<Discovery, String> {
    let opts = PrimOptions::default();
    let path = prim::peel(x, y, opts);
    let chosen = match box_index {
        Some(k) if k < path.len() => k,
        Some(k) => {
            return Err(format!(
                "--box {k}: the trajectory has boxes 0 to {}",
                path.len() - 1
            ));
        }
        None => prim::default_box(&path),
    };
    let full = &path[0];
    let b = &path[chosen];
    let limits: Vec<Limit> = inputs
        .iter()
        .enumerate()
        .map(|(j, name)| {
            let restricted = prim::restricted(b, full, j);
            Limit {
                input: name.clone(),
                lo: b.limits[j][0],
                hi: b.limits[j][1],
                restricted,
                quasi_p: if restricted {
                    prim::quasi_p(x, y, b, j)
                } else {
                    f64::NAN
                },
                data_lo: full.limits[j][0],
                data_hi: full.limits[j][1],
            }
        })
        .collect();
    Ok(Discovery {
        scenario: scenario.to_string(),
        condition: condition.to_string(),
        source,
        trials: y.len(),
        cases: full.hits,
        peel_alpha: opts.alpha,
        min_mass: opts.min_mass,
        chosen_box: chosen,
        rule: if box_index.is_some() {
            "--box"
        } else {
            "best F1 score of coverage and density"
        },
        chosen: b.clone(),
        limits,
        trajectory: path.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn where_conditions_use_the_criteria_language() {
        let names: Vec<String> = ["viable", "peak_fiscal_burden", "breakeven_year"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let c = Condition::parse("peak_fiscal_burden<=0.02", &names).unwrap();
        assert_eq!(c.to_string(), "peak_fiscal_burden <= 0.02");
        assert_eq!(c.used, [1]);
        let cols = vec![vec![0.02, 0.03, f64::NAN]];
        assert!(c.holds(&cols, 0) && !c.holds(&cols, 1) && !c.holds(&cols, 2));
        let c = Condition::parse("viable == 1 or not breakeven_year > 2030", &names).unwrap();
        assert_eq!(c.used, [0, 2]);
        let cols = vec![vec![1.0, 0.0, 0.0], vec![f64::NAN, f64::NAN, 2029.0]];
        assert!(c.holds(&cols, 0));
        assert!(!c.holds(&cols, 1), "unknown counts as 0");
        assert!(c.holds(&cols, 2));
        let e = Condition::parse("viable = 1", &names).unwrap_err();
        assert!(e.contains("column 8") && e.contains("=="), "{e}");
        let e = Condition::parse("viable == 1 and vaible == 1", &names).unwrap_err();
        assert!(
            e.contains("column 17") && e.contains("no outcome `vaible`"),
            "{e}"
        );
    }
}
