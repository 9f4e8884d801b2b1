//! What a model produces, described by the model itself: its inputs, its outcomes and yearly
//! series (each with its name, title, unit, meaning and kind), its years and its random
//! streams.
//!
//! Everything after the engine (the summary, the check, plots, reports, `compare`, `sweep`)
//! learns what an outcome *is* from this schema, never from its name: which outcomes are 0/1
//! indicators (reported as probabilities), which may be absent in a trial (reported with the
//! share of trials where they are present), which are criteria held to a threshold, and which
//! one is the headline (every criterion met). A new outcome is one row of the model's table.

/// What a model produces, by name: the engine sizes its buffers from it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Schema {
    /// Uncertain inputs drawn once per trial (columns of `trials.csv`, inputs of sensitivity).
    pub inputs: Vec<String>,
    /// Outcomes, one value per trial, in the order the model writes them.
    pub outcomes: Vec<Outcome>,
    /// Yearly series, one value per trial and year, in the order the model writes them.
    pub series: Vec<Series>,
    /// Calendar year of each step.
    pub years: Vec<i32>,
    /// Names of the random substreams (components and uncertain parameters): a stream's
    /// numbers depend only on (seed, trial, name), so models sharing a name share its draws.
    pub streams: Vec<String>,
}

/// One outcome of a trial.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Outcome {
    /// Public name (a column of `trials.csv`, a key of `summary.json`).
    pub name: String,
    /// Short title for legends and axis labels (`peak fiscal burden`).
    pub title: String,
    /// Unit or scale, as a reader needs it on an axis (`million 2024 USD`).
    pub unit: String,
    /// What the outcome measures, in one sentence.
    pub meaning: String,
    /// How it is reported.
    pub kind: OutcomeKind,
    /// Whether every value is a whole number (a count of years, a calendar year): its
    /// quantiles move in whole steps. With the 0/1 kinds, these are the discrete outcomes
    /// ([`Outcome::is_discrete`]), whose quantiles `check` compares as a lattice.
    #[serde(default)]
    pub integer: bool,
}

/// How an outcome is reported.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum OutcomeKind {
    /// A number: summarised by its moments and quantiles, drawn as a histogram.
    Continuous,
    /// A 0/1 indicator: also reported as a probability with its interval.
    Indicator,
    /// A number that some trials do not have (the model writes NaN there); the share of
    /// trials that have it is reported as the probability `presence`.
    Optional {
        /// Name of the probability that the outcome is present (`summary.json`).
        presence: String,
        /// How that probability reads in a report.
        presence_title: String,
        /// When a trial lacks the outcome, completing "absent where ..." (`the program
        /// never breaks even`).
        absent_when: String,
    },
    /// A number that some trials do not have (NaN there), without a presence probability of
    /// its own (a line's independence where the line has no military demand).
    MaybeAbsent,
    /// A 0/1 indicator derived from another outcome held to a threshold.
    Criterion(Criterion),
    /// The headline 0/1 indicator: 1 when every [`OutcomeKind::Criterion`] holds.
    AllCriteria,
}

/// A criterion: outcome `of` compared with the value of parameter `threshold`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Criterion {
    /// The outcome held to the threshold.
    pub of: String,
    /// The parameter key holding the threshold (`viability.min_independence`).
    pub threshold: String,
    /// Which side of the threshold meets the criterion.
    pub direction: Direction,
    /// Its name in short legends (`unit cost`: "meets unit cost").
    pub short: String,
}

/// Which side of a threshold meets a criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Direction {
    /// `outcome >= threshold`.
    AtLeast,
    /// `outcome <= threshold`.
    AtMost,
}

impl Direction {
    /// `>=` or `<=`.
    pub fn sign(self) -> &'static str {
        match self {
            Direction::AtLeast => ">=",
            Direction::AtMost => "<=",
        }
    }
}

/// One yearly series.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Series {
    /// Public name (`gdp_musd`, `<line>.output`).
    pub name: String,
    /// Axis label with its unit (`GDP (million 2024 USD)`).
    pub label: String,
    /// A level (drawn as a fan chart) or a state indicator (drawn as shares of trials).
    pub kind: SeriesKind,
    /// The outcome whose criterion's threshold this series is held to, if any (the yearly
    /// fiscal burden is held to the threshold of its peak).
    pub held_to: Option<String>,
    /// Among the program's main quantities overlaid by `compare`: its place in that list.
    pub overlay: Option<u8>,
    /// For a 0/1 state series: its band in the states chart (`None`: not drawn there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band: Option<Band>,
}

/// Where a 0/1 state series stands in the states chart: one band of a panel, whose height
/// each year is the share of trials in that state (the series' yearly mean).
///
/// The chart's panels stand left to right in the order of their first band. A panel of one
/// band is a filled area; a panel of several is a stack with a legend, its bands in schema
/// order from the top (they are shares of one partition, so the stack sums to 100%).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Band {
    /// The panel's heading (`sanctioned`, `foreign support (Russia)`): bands with the same
    /// heading share a panel.
    pub panel: String,
    /// What the panel is about, as the chart's title names it (`sanctions`).
    pub topic: String,
    /// The band's legend label in a stacked panel (`withdrawn`).
    pub legend: String,
    /// How the state reads, which sets its colour in a stacked panel.
    pub tone: Tone,
}

/// How a state reads, for its colour: the usual state, a strained one, a bad one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Tone {
    /// The usual, good state (green).
    Good,
    /// A strained state (amber).
    Strained,
    /// A bad state (red).
    Bad,
}

/// What a yearly series holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SeriesKind {
    /// A quantity: its quantiles across trials mean something.
    Level,
    /// A 0/1 (or small integer) state: only its yearly mean (a share of trials) does.
    State,
}

impl Outcome {
    /// An outcome of kind `kind` titled by its name, without unit or meaning (for small
    /// models and tests).
    pub fn named(name: &str, kind: OutcomeKind) -> Outcome {
        Outcome {
            name: name.into(),
            title: name.replace('_', " "),
            unit: String::new(),
            meaning: String::new(),
            kind,
            integer: false,
        }
    }

    /// The same outcome, declared integer-valued ([`Outcome::integer`]).
    pub fn integer(self) -> Outcome {
        Outcome {
            integer: true,
            ..self
        }
    }

    /// The axis label: `title (unit)`, or the title alone when there is no unit.
    pub fn label(&self) -> String {
        if self.unit.is_empty() {
            self.title.clone()
        } else {
            format!("{} ({})", self.title, self.unit)
        }
    }

    /// Whether the outcome is 0/1 (indicator, criterion or the headline).
    pub fn is_indicator(&self) -> bool {
        matches!(
            self.kind,
            OutcomeKind::Indicator | OutcomeKind::Criterion(_) | OutcomeKind::AllCriteria
        )
    }

    /// Whether the outcome takes only whole values: a 0/1 kind or an integer outcome. Its
    /// quantiles jump from value to value, so they have no density.
    pub fn is_discrete(&self) -> bool {
        self.integer || self.is_indicator()
    }

    /// Whether a trial may lack the outcome (NaN).
    pub fn is_optional(&self) -> bool {
        matches!(
            self.kind,
            OutcomeKind::Optional { .. } | OutcomeKind::MaybeAbsent
        )
    }
}

impl Series {
    /// A level series labelled by its name (for small models and tests).
    pub fn level(name: &str) -> Series {
        Series {
            name: name.into(),
            label: name.into(),
            kind: SeriesKind::Level,
            held_to: None,
            overlay: None,
            band: None,
        }
    }
}

impl Schema {
    /// Names of the outcomes, in order.
    pub fn outcome_names(&self) -> Vec<&str> {
        self.outcomes.iter().map(|o| o.name.as_str()).collect()
    }

    /// Names of the yearly series, in order.
    pub fn series_names(&self) -> Vec<&str> {
        self.series.iter().map(|s| s.name.as_str()).collect()
    }

    /// The outcome called `name`.
    pub fn outcome(&self, name: &str) -> Option<&Outcome> {
        self.outcomes.iter().find(|o| o.name == name)
    }

    /// The yearly series called `name`.
    pub fn series(&self, name: &str) -> Option<&Series> {
        self.series.iter().find(|s| s.name == name)
    }

    /// The criteria, in schema order, each with the name of its own 0/1 outcome.
    pub fn criteria(&self) -> impl Iterator<Item = (&str, &Criterion)> {
        self.outcomes.iter().filter_map(|o| match &o.kind {
            OutcomeKind::Criterion(c) => Some((o.name.as_str(), c)),
            _ => None,
        })
    }

    /// The criterion that holds outcome `of` to a threshold, if any.
    pub fn criterion_of(&self, of: &str) -> Option<&Criterion> {
        self.criteria().map(|(_, c)| c).find(|c| c.of == of)
    }

    /// The series `compare` overlays, in their overlay order.
    pub fn overlaid_series(&self) -> Vec<&str> {
        let mut chosen: Vec<(u8, &str)> = self
            .series
            .iter()
            .filter_map(|s| Some((s.overlay?, s.name.as_str())))
            .collect();
        chosen.sort();
        chosen.into_iter().map(|(_, name)| name).collect()
    }

    /// The headline outcome (every criterion met), if the model has one.
    pub fn headline(&self) -> Option<&Outcome> {
        self.outcomes
            .iter()
            .find(|o| o.kind == OutcomeKind::AllCriteria)
    }

    /// Name of the headline outcome, or `""` for a model without one.
    pub fn headline_name(&self) -> &str {
        self.headline().map_or("", |o| o.name.as_str())
    }

    /// Names of the probabilities a summary reports, in order: every 0/1 outcome in schema
    /// order, then the presence of every optional outcome.
    pub fn probability_names(&self) -> Vec<&str> {
        let indicators = self
            .outcomes
            .iter()
            .filter(|o| o.is_indicator())
            .map(|o| o.name.as_str());
        let presences = self.outcomes.iter().filter_map(|o| match &o.kind {
            OutcomeKind::Optional { presence, .. } => Some(presence.as_str()),
            _ => None,
        });
        indicators.chain(presences).collect()
    }

    /// How probability `name` reads in a report: the headline (`P(viable): all three
    /// criteria met`), a criterion (`unit cost criterion met`), a presence, or the name.
    pub fn probability_title(&self, name: &str) -> String {
        let criteria = self.criteria().count();
        for o in &self.outcomes {
            match &o.kind {
                OutcomeKind::AllCriteria if o.name == name => {
                    return format!("P({name}): all {} criteria met", count_word(criteria));
                }
                OutcomeKind::Criterion(c) if o.name == name => {
                    return format!("{} criterion met", c.short);
                }
                OutcomeKind::Optional {
                    presence,
                    presence_title,
                    ..
                } if presence == name => return presence_title.clone(),
                _ => {}
            }
        }
        name.replace('_', " ")
    }
}

/// `three` for 3 (numbers up to ten in words, as in prose), digits above.
pub fn count_word(n: usize) -> String {
    const WORDS: [&str; 11] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    WORDS
        .get(n)
        .map_or_else(|| n.to_string(), |w| w.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(name: &str, kind: OutcomeKind) -> Outcome {
        Outcome::named(name, kind)
    }

    #[test]
    fn probabilities_list_indicators_then_presences() {
        let schema = Schema {
            inputs: vec![],
            outcomes: vec![
                outcome(
                    "first_year",
                    OutcomeKind::Optional {
                        presence: "first_year_seen".into(),
                        presence_title: "seen".into(),
                        absent_when: "it is never seen".into(),
                    },
                ),
                outcome("x", OutcomeKind::Continuous),
                outcome("ok", OutcomeKind::AllCriteria),
                outcome(
                    "x_high",
                    OutcomeKind::Criterion(Criterion {
                        of: "x".into(),
                        threshold: "limits.x".into(),
                        direction: Direction::AtLeast,
                        short: "x".into(),
                    }),
                ),
                outcome("flag", OutcomeKind::Indicator),
            ],
            series: vec![],
            years: vec![],
            streams: vec![],
        };
        assert_eq!(
            schema.probability_names(),
            ["ok", "x_high", "flag", "first_year_seen"]
        );
        assert_eq!(schema.headline_name(), "ok");
        assert_eq!(
            schema.probability_title("ok"),
            "P(ok): all one criteria met"
        );
        assert_eq!(schema.probability_title("x_high"), "x criterion met");
        assert_eq!(schema.probability_title("first_year_seen"), "seen");
        assert_eq!(schema.criterion_of("x").unwrap().threshold, "limits.x");
        assert!(schema.outcome("x").unwrap().label() == "x");
    }
}
