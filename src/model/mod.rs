//! The viability model: does a domestic defense industry deliver military
//! independence at a bearable fiscal and social cost?
//!
//! [`params`] holds the schema of numeric keys and a trial's values, [`state`] the state and
//! shocks, [`step`] the pure yearly step, [`outcomes`] the per-trial outcomes. This module
//! wires them into the engine's [`Model`] trait: which streams exist, how a trial's
//! parameters and a year's shocks are drawn, which yearly series are recorded.

/// The question every page of this model answers (shown under each page's heading).
pub const QUESTION: &str = "Can Mali's 2025 plan for a domestic defense industry deliver real \
military independence (local value added, not assembly of imported kits) at a unit cost and a \
fiscal burden that the scenario's thresholds accept?";

/// The yearly shocks, in words: what stays random in a trial when every input is fixed.
pub const SHOCKS: &str = "growth, sanctions, foreign support, gold, power, conflict";

pub mod binding;
pub(crate) mod keys;
pub(crate) mod outcomes;
pub mod params;
pub mod policies;
#[cfg(test)]
mod scenario_tests;
pub mod state;
pub(crate) mod step;

use rand::RngExt;
use rand_distr::StandardNormal;

use crate::dist::{Param, Sampler};
use crate::engine::{Band, Model, Outcome, OutcomeKind, Schema, Series, SeriesKind, Streams, Tone};
use std::path::Path;

use crate::scenario::{self, Scenario, ScenarioError};
use crate::stats::copula::{self, Copula};
use crate::stats::expr::Expr;
use binding::Slot;
pub use keys::key_schema;
use params::{LINE_NAMES, N_LINES, Params, Settings};
use state::{State, YearDraws, YearRecord};

/// Random components, each with its own substream per trial.
const COMPONENTS: [&str; 6] = ["macro", "sanctions", "support", "gold", "power", "conflict"];

/// A row of [`SERIES`]: name, axis label, kind, the outcome it is held to, overlay place.
type SeriesRow = (
    &'static str,
    &'static str,
    SeriesKind,
    Option<&'static str>,
    Option<u8>,
);

/// Yearly series of the whole program (per-line series follow, see [`series`]): name, axis
/// label, kind, the outcome whose threshold it is held to, and its place among the series
/// `compare` overlays.
///
/// `support_full`, `support_reduced` and `support_withdrawn` are 0/1 indicators of the
/// support state, so that their yearly mean is the exact share of trials in each state (the
/// 0/1/2 `support_state` series' mean alone cannot separate them).
const SERIES: [SeriesRow; 11] = [
    (
        "gdp_musd",
        "GDP (million 2024 USD)",
        SeriesKind::Level,
        None,
        Some(4),
    ),
    (
        "revenue_musd",
        "government revenue (million 2024 USD)",
        SeriesKind::Level,
        None,
        None,
    ),
    (
        "program_spend_musd",
        "program spending (million 2024 USD a year)",
        SeriesKind::Level,
        None,
        Some(3),
    ),
    (
        "fiscal_burden",
        "fiscal burden (net program cost / revenue)",
        SeriesKind::Level,
        Some("peak_fiscal_burden"),
        Some(2),
    ),
    (
        "self_sufficiency",
        "self-sufficiency (share of military demand)",
        SeriesKind::Level,
        None,
        Some(1),
    ),
    (
        "independence",
        "independence (share of military demand)",
        SeriesKind::Level,
        Some("independence"),
        Some(0),
    ),
    (
        "sanctioned",
        "share of trials sanctioned",
        SeriesKind::State,
        None,
        None,
    ),
    (
        "support_state",
        "support state (0 full, 1 reduced, 2 withdrawn)",
        SeriesKind::State,
        None,
        None,
    ),
    (
        "support_full",
        "share of trials with full support",
        SeriesKind::State,
        None,
        None,
    ),
    (
        "support_reduced",
        "share of trials with reduced support",
        SeriesKind::State,
        None,
        None,
    ),
    (
        "support_withdrawn",
        "share of trials with support withdrawn",
        SeriesKind::State,
        None,
        None,
    ),
];

/// Per-line yearly series, named `<line>.<series>`, with their axis labels.
const LINE_SERIES: [(&str, &str); 3] = [
    ("output", "output (units a year)"),
    (
        "unit_cost_ratio",
        "unit cost ratio (local cost / import price)",
    ),
    ("import_content", "import content (share of unit value)"),
];

/// The states chart's bands: series, panel, the panel's topic in the chart's title, legend
/// label, tone. The support panel's heading names the supplier (see [`series`]).
const BANDS: [(&str, &str, &str, &str, Tone); 4] = [
    ("sanctioned", "sanctioned", "sanctions", "", Tone::Bad),
    (
        "support_full",
        SUPPORT_PANEL,
        "foreign support",
        "full",
        Tone::Good,
    ),
    (
        "support_reduced",
        SUPPORT_PANEL,
        "foreign support",
        "reduced",
        Tone::Strained,
    ),
    (
        "support_withdrawn",
        SUPPORT_PANEL,
        "foreign support",
        "withdrawn",
        Tone::Bad,
    ),
];

/// The support panel's heading, followed by the supplier in brackets.
const SUPPORT_PANEL: &str = "foreign support";

/// Every yearly series, in the order the model writes them: the program's, each line's
/// (labelled with the line's unit from `settings`), then `growth`; the state series carry
/// their band of the states chart, the support panel headed with `supplier`'s name.
pub fn series(settings: &Settings, supplier: &str) -> Vec<Series> {
    let units: Vec<&str> = settings.lines.iter().map(|l| l.unit.as_str()).collect();
    let mut out = series_with_units(&units);
    for (name, panel, topic, legend, tone) in BANDS {
        let s = out.iter_mut().find(|s| s.name == name).expect("a series");
        s.band = Some(Band {
            panel: if panel == SUPPORT_PANEL {
                format!("{panel} ({supplier})")
            } else {
                panel.into()
            },
            topic: topic.into(),
            legend: legend.into(),
            tone,
        });
    }
    out
}

/// `support.supplier`, or its default.
fn supplier(scenario: &Scenario) -> &str {
    match scenario.setting("support.supplier") {
        Some(scenario::Value::Str(s)) => s,
        _ => "Russia",
    }
}

/// Every yearly series, each line's output labelled with `units[line]` (`round`).
pub fn series_with_units(units: &[&str]) -> Vec<Series> {
    let mut out: Vec<Series> = SERIES
        .iter()
        .map(|&(name, label, kind, held_to, overlay)| Series {
            name: name.into(),
            label: label.into(),
            kind,
            held_to: held_to.map(str::to_string),
            overlay,
            band: None,
        })
        .collect();
    for (line, unit) in LINE_NAMES.iter().zip(units) {
        out.extend(LINE_SERIES.iter().map(|&(name, label)| {
            let label = if name == "output" {
                format!("{} output ({unit}s a year)", line.replace('_', " "))
            } else {
                format!("{}: {label}", line.replace('_', " "))
            };
            Series {
                name: format!("{line}.{name}"),
                label,
                kind: SeriesKind::Level,
                held_to: None,
                overlay: None,
                band: None,
            }
        }));
    }
    out.push(Series {
        name: "growth".into(),
        label: "real GDP growth (rate a year)".into(),
        kind: SeriesKind::Level,
        held_to: None,
        overlay: None,
        band: None,
    });
    out
}

/// Loads a scenario of the viability model: [`scenario::load`] against [`key_schema`].
///
/// ```
/// let s = defsim::model::load("scenarios/baseline.toml".as_ref(), &[]).unwrap();
/// assert_eq!(s.horizon_years, 11);
/// ```
pub fn load(path: &Path, overrides: &[String]) -> Result<Scenario, ScenarioError> {
    scenario::load(path, overrides, &key_schema())
}

/// An uncertain parameter: drawn from its own stream each trial.
#[derive(Debug, Clone)]
struct Uncertain {
    stream: usize,
    slot: Slot,
    sampler: Sampler,
    /// For sampling designs: the inverse CDF.
    param: Param,
    /// Drawn through the copula of `[[correlations]]` instead of its own sampler.
    correlated: bool,
}

/// A parameter tied to others by `[[correlations]]`: it draws one standard normal from its
/// own stream each trial (also when it is fixed, so that nothing else moves), which the
/// copula correlates; an uncertain one then takes `F^-1(Phi(z))` of its own law.
#[derive(Debug, Clone)]
struct Correlated {
    stream: usize,
    /// Index into `uncertain` (and the inputs), or `None` for a fixed key.
    input: Option<usize>,
}

/// The Gaussian copula of the correlated parameters, in scenario key order.
#[derive(Debug, Clone)]
struct Copulas {
    copula: Copula,
    keys: Vec<Correlated>,
}

/// The viability model built from a validated scenario.
#[derive(Debug, Clone)]
pub struct ViabilityModel {
    schema: Schema,
    /// Fixed values of every parameter (uncertain ones are overwritten each trial).
    base: Params,
    settings: Settings,
    uncertain: Vec<Uncertain>,
    /// The correlated parameters, if the scenario has `[[correlations]]`.
    correlated: Option<Copulas>,
    /// The analysts' criteria (`[criteria]`), over the outcomes before them.
    criteria: Vec<Expr<usize>>,
}

/// Per-thread scratch of the viability model.
#[derive(Debug, Clone)]
pub struct Worker {
    /// The trial's parameters.
    pub params: Params,
    /// The trial's state.
    pub state: State,
    /// This year's shocks.
    pub draws: YearDraws,
    /// The last year's record.
    pub record: YearRecord,
}

impl ViabilityModel {
    /// Builds the model of `scenario`.
    pub fn new(scenario: &Scenario) -> ViabilityModel {
        let mut base = Params::default();
        let mut inputs = Vec::new();
        let mut streams: Vec<String> = COMPONENTS.iter().map(|c| c.to_string()).collect();
        streams.extend(LINE_NAMES.iter().map(|l| format!("lines.{l}")));
        let mut uncertain = Vec::new();
        for entry in &scenario.params {
            // The scenario was validated against this model's own key schema.
            let slot = Slot::of(&entry.key).expect("a key of the model's schema");
            match entry.param.fixed_value() {
                Some(v) => *slot.get_mut(&mut base) = v,
                None => {
                    uncertain.push(Uncertain {
                        stream: streams.len(),
                        slot,
                        sampler: entry.param.sampler(),
                        param: entry.param.clone(),
                        correlated: false,
                    });
                    streams.push(entry.key.clone());
                    inputs.push(entry.key.clone());
                }
            }
        }
        let correlated = correlated_keys(scenario, &uncertain, &mut streams);
        if let Some(c) = &correlated {
            for k in &c.keys {
                if let Some(i) = k.input {
                    uncertain[i].correlated = true;
                }
            }
        }
        let settings = Settings::from_scenario(scenario);
        let mut outcome_schema = outcomes::schema();
        if settings.scope_enabled {
            for o in &mut outcome_schema {
                if let OutcomeKind::Criterion(c) = &mut o.kind
                    && c.of == "independence"
                {
                    c.of = "independence_enabled".into();
                    o.meaning = "1 when the independence of the enabled lines reaches \
                                 viability.min_independence (independence_scope \"enabled\")."
                        .into();
                }
            }
        }
        outcome_schema.extend(outcomes::extra_schema());
        let names: Vec<String> = outcome_schema.iter().map(|o| o.name.clone()).collect();
        let criteria = scenario
            .criteria
            .iter()
            .map(|c| {
                crate::stats::expr::compile(&c.expr, &names)
                    .expect("validation compiled every criterion")
            })
            .collect();
        outcome_schema.extend(scenario.criteria.iter().map(|c| Outcome {
            name: c.name.clone(),
            title: c.name.replace('_', " "),
            unit: "1 = met".into(),
            meaning: format!("The analyst's criterion `{}`.", c.expr),
            kind: OutcomeKind::Indicator,
            integer: false,
        }));
        let schema = Schema {
            inputs,
            outcomes: outcome_schema,
            series: series(&settings, supplier(scenario)),
            years: (0..settings.horizon_years)
                .map(|t| settings.start_year + t as i32)
                .collect(),
            streams,
        };
        ViabilityModel {
            schema,
            base,
            settings,
            uncertain,
            correlated,
            criteria,
        }
    }

    /// Whether the scenario ties parameters by `[[correlations]]`.
    pub fn is_correlated(&self) -> bool {
        self.correlated.is_some()
    }

    /// Sets the correlated inputs from their correlated normals `z` (in key order).
    fn apply_copula(&self, c: &Copulas, z: &mut [f64], w: &mut Worker, inputs: &mut [f64]) {
        c.copula.correlate(z);
        for (k, &zi) in c.keys.iter().zip(z.iter()) {
            if let Some(i) = k.input {
                let u = &self.uncertain[i];
                let v = u.param.inverse_cdf(copula::uniform(zi));
                *u.slot.get_mut(&mut w.params) = v;
                inputs[i] = v;
            }
        }
    }

    /// The scenario's fixed settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }
}

impl Model for ViabilityModel {
    type Worker = Worker;

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn worker(&self) -> Worker {
        Worker {
            params: self.base.clone(),
            state: State::new(self.settings.horizon_years),
            draws: YearDraws::default(),
            record: YearRecord::default(),
        }
    }

    fn draw_params(&self, w: &mut Worker, streams: &mut Streams, inputs: &mut [f64]) {
        for (u, input) in self.uncertain.iter().zip(inputs.iter_mut()) {
            if u.correlated {
                continue;
            }
            let v = u.sampler.sample(streams.get(u.stream));
            *u.slot.get_mut(&mut w.params) = v;
            *input = v;
        }
        if let Some(c) = &self.correlated {
            // Each correlated key draws one standard normal from its own stream.
            let mut z: Vec<f64> = c
                .keys
                .iter()
                .map(|k| streams.get(k.stream).sample(StandardNormal))
                .collect();
            self.apply_copula(c, &mut z, w, inputs);
        }
        step::start(&w.params, &self.settings, &mut w.state);
    }

    fn draw_params_at(&self, w: &mut Worker, unit: &[f64], inputs: &mut [f64]) {
        for ((u, &x), input) in self.uncertain.iter().zip(unit).zip(inputs.iter_mut()) {
            let v = u.param.inverse_cdf(x);
            *u.slot.get_mut(&mut w.params) = v;
            *input = v;
        }
        if let Some(c) = &self.correlated {
            // The design's coordinate stands for the normal; a fixed correlated key has no
            // coordinate and takes its median normal, 0.
            let mut z: Vec<f64> = c
                .keys
                .iter()
                .map(|k| k.input.map_or(0.0, |i| copula::normal_quantile(unit[i])))
                .collect();
            self.apply_copula(c, &mut z, w, inputs);
        }
        step::start(&w.params, &self.settings, &mut w.state);
    }

    fn draw_year(&self, w: &mut Worker, streams: &mut Streams, _t: usize) {
        let d = &mut w.draws;
        d.macro_eps = streams.get(0).sample(StandardNormal);
        d.sanctions_u = streams.get(1).random();
        d.support_u = streams.get(2).random();
        d.gold_eps = streams.get(3).sample(StandardNormal);
        d.power_eps = streams.get(4).sample(StandardNormal);
        d.conflict_eps = streams.get(5).sample(StandardNormal);
        for l in 0..N_LINES {
            let rng = streams.get(COMPONENTS.len() + l);
            d.disrupt_u[l] = rng.random();
            d.loss_u[l] = rng.random();
        }
    }

    fn step(&self, w: &mut Worker, t: usize, series: &mut [f64]) {
        if !self.settings.lever_paths.is_empty() {
            for (slot, path) in &self.settings.lever_paths {
                *slot.get_mut(&mut w.params) = path[t];
            }
            // The energy factor is cached per trial at the start; a yearly captive power
            // share renews it every year, with the same expression as `step::start`.
            let p = &w.params;
            for (ls, lp) in w.state.lines.iter_mut().zip(&p.lines) {
                ls.energy = 1.0
                    + lp.energy_share * p.plan.captive_power_share * p.power.captive_cost_premium;
            }
        }
        step::step_into(
            &w.params,
            &self.settings,
            &mut w.state,
            &w.draws,
            t,
            &mut w.record,
        );
        let r = &w.record;
        series[..SERIES.len()].copy_from_slice(&[
            r.gdp,
            r.revenue,
            r.program_spend,
            r.fiscal_burden,
            r.self_sufficiency,
            r.independence,
            f64::from(u8::from(r.sanctioned)),
            r.support as f64,
            f64::from(u8::from(r.support == 0)),
            f64::from(u8::from(r.support == 1)),
            f64::from(u8::from(r.support == 2)),
        ]);
        for (l, ly) in r.lines.iter().enumerate() {
            let at = SERIES.len() + l * LINE_SERIES.len();
            series[at..at + LINE_SERIES.len()].copy_from_slice(&[
                ly.output,
                ly.unit_cost_ratio,
                ly.import_content,
            ]);
        }
        series[SERIES.len() + N_LINES * LINE_SERIES.len()] = r.growth;
    }

    fn outcomes(&self, w: &mut Worker, out: &mut [f64]) {
        let o = outcomes::outcomes(&w.params, &self.settings, &w.state, &w.record);
        let (n, m) = (o.values.len(), o.criteria.len());
        out[..n].copy_from_slice(&o.values);
        for (slot, met) in out[n..n + m].iter_mut().zip(o.criteria) {
            *slot = f64::from(u8::from(met));
        }
        let k = n + m + o.extra.len();
        out[n + m..k].copy_from_slice(&o.extra);
        let (known, analysts) = out.split_at_mut(k);
        for (slot, c) in analysts.iter_mut().zip(&self.criteria) {
            *slot = f64::from(u8::from(c.holds(known)));
        }
    }
}

/// The copula of `scenario`'s `[[correlations]]`, in scenario key order; a fixed correlated
/// key gets a stream of its own name (an uncertain one already has one).
fn correlated_keys(
    scenario: &Scenario,
    uncertain: &[Uncertain],
    streams: &mut Vec<String>,
) -> Option<Copulas> {
    if scenario.correlations.is_empty() {
        return None;
    }
    let keys: Vec<&str> = scenario
        .params
        .iter()
        .map(|e| e.key.as_str())
        .filter(|k| {
            scenario
                .correlations
                .iter()
                .any(|c| c.keys.iter().any(|x| x == k))
        })
        .collect();
    let mut pairs = Vec::new();
    for c in &scenario.correlations {
        for (a, ka) in c.keys.iter().enumerate() {
            for kb in &c.keys[a + 1..] {
                let i = keys.iter().position(|k| k == ka).expect("a correlated key");
                let j = keys.iter().position(|k| k == kb).expect("a correlated key");
                pairs.push((i, j, c.rank));
            }
        }
    }
    let copula = Copula::new(keys.len(), &pairs).expect("validation checked the matrix");
    let keys = keys
        .iter()
        .map(|k| {
            let input = uncertain.iter().position(|u| streams[u.stream] == *k);
            let stream = match input {
                Some(i) => uncertain[i].stream,
                None => {
                    streams.push((*k).to_string());
                    streams.len() - 1
                }
            };
            Correlated { stream, input }
        })
        .collect();
    Some(Copulas { copula, keys })
}
