//! `discover`: scenario discovery with PRIM. Which ranges of the uncertain inputs hold the
//! trials where a condition on an outcome is true (`viable == 1`)? The condition per trial
//! (an absent outcome never meets it) -> peeling trajectory ([`crate::stats::prim`], alpha
//! 0.05, minimum mass 0.05) -> the chosen box (default the best F1 of coverage and density)
//! with quasi-p-values.

use serde::Serialize;

use crate::stats::prim::{self, PrimBox, PrimOptions};

/// A parsed `NAME OP VALUE`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// Outcome name.
    pub name: String,
    /// Operator, one of `== != < <= > >=`.
    pub op: &'static str,
    /// Right-hand side.
    pub value: f64,
}

impl Condition {
    /// Parses `NAME OP VALUE` (spaces optional).
    pub fn parse(s: &str) -> Result<Condition, String> {
        let bad = |why: &str| {
            format!(
                "--where \"{s}\": {why}; write NAME OP VALUE with OP one of == != < <= > >=, \
                 e.g. \"viable == 1\""
            )
        };
        for op in ["==", "!=", "<=", ">=", "<", ">"] {
            if let Some((name, value)) = s.split_once(op) {
                let name = name.trim();
                if name.is_empty() {
                    return Err(bad("no outcome name"));
                }
                let value: f64 = value
                    .trim()
                    .parse()
                    .map_err(|_| bad(&format!("`{}` is not a number", value.trim())))?;
                return Ok(Condition {
                    name: name.to_string(),
                    op,
                    value,
                });
            }
        }
        Err(bad("no comparison operator"))
    }

    /// Whether `v` meets the condition (NaN, an absent outcome, never does).
    pub fn holds(&self, v: f64) -> bool {
        match self.op {
            "==" => v == self.value,
            "!=" => !v.is_nan() && v != self.value,
            "<" => v < self.value,
            "<=" => v <= self.value,
            ">" => v > self.value,
            _ => v >= self.value,
        }
    }
}

impl std::fmt::Display for Condition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {}", self.name, self.op, self.value)
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
    fn conditions_parse_with_or_without_spaces() {
        let c = Condition::parse("viable == 1").unwrap();
        assert_eq!((c.name.as_str(), c.op, c.value), ("viable", "==", 1.0));
        let c = Condition::parse("peak_fiscal_burden<=0.02").unwrap();
        assert_eq!(
            (c.name.as_str(), c.op, c.value),
            ("peak_fiscal_burden", "<=", 0.02)
        );
        assert!(c.holds(0.02) && !c.holds(0.03) && !c.holds(f64::NAN));
        assert_eq!(Condition::parse("x > -3").unwrap().value, -3.0);
        assert!(Condition::parse("viable = 1").is_err());
        assert!(Condition::parse("== 1").is_err());
        assert!(Condition::parse("viable == yes").is_err());
        assert!(!Condition::parse("x != 1").unwrap().holds(f64::NAN));
    }
}
