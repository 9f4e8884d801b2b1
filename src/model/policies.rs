//! Policies of an experiment run side by side: one trial's draws made once and shared.
//!
//! Every [`ViabilityModel`] of a [`PolicySet`] is the same scenario with other lever values.
//! Their streams are keyed by name (see [`crate::engine::Streams`]), so trial `k` of every
//! policy already sees the same numbers; a [`PolicySet`] also draws them only once per
//! trial: the annual shocks of every year, each uncertain parameter once per distinct law
//! (a lever that changes a parameter's law, e.g. `macro.trend_growth.mean`, redraws it per
//! law from the same freshly seeded substream; a lever that fixes it just does not read
//! it), and the copula's normals once. Each policy then steps through the horizon on those
//! draws. The outcomes are bit for bit those of running each policy alone with the same
//! seed ([`crate::engine::run`]), at the cost of the draws once instead of once per policy.

use rand_distr::StandardNormal;

use super::state::YearDraws;
use super::{COMPONENTS, N_LINES, ViabilityModel, Worker, step};
use crate::dist::Param;
use crate::engine::{Family, Model, Streams};

/// One distinct law of one uncertain parameter: drawn once per trial.
#[derive(Debug, Clone)]
struct Variant {
    /// Index into the set's streams.
    stream: usize,
    param: Param,
    sampler: crate::dist::Sampler,
}

/// Where a policy's parameters come from in the shared draws.
#[derive(Debug, Clone)]
struct Member {
    model: ViabilityModel,
    /// Per uncertain parameter of the model (in its order): the variant, `None` when the
    /// copula sets it.
    variants: Vec<Option<usize>>,
    /// Per correlated key of the model (in its copula's order): index into the normals.
    normals: Vec<usize>,
    /// A name for errors.
    label: String,
}

/// The policies of an experiment as one [`Family`].
#[derive(Debug, Clone)]
pub struct PolicySet {
    streams: Vec<String>,
    variants: Vec<Variant>,
    /// Streams of the copula's normals (one normal each per trial).
    normal_streams: Vec<usize>,
    members: Vec<Member>,
    years: usize,
    outcomes: usize,
}

/// Per-thread scratch: the shared draws and one worker per policy.
#[derive(Debug)]
pub struct PolicyWorker {
    years: Vec<YearDraws>,
    values: Vec<f64>,
    normals: Vec<f64>,
    z: Vec<f64>,
    inputs: Vec<f64>,
    series: Vec<f64>,
    workers: Vec<Worker>,
}

impl PolicySet {
    /// The set of `models` (each labelled for errors by `labels`), which must be the same
    /// scenario under different lever values (the same outcomes; levers do not change
    /// `[[correlations]]`).
    pub fn new(models: Vec<ViabilityModel>, labels: Vec<String>) -> PolicySet {
        assert_eq!(models.len(), labels.len(), "one label per policy");
        assert!(!models.is_empty(), "at least one policy");
        let mut streams: Vec<String> = Vec::new();
        let stream_of =
            |name: &str, streams: &mut Vec<String>| match streams.iter().position(|s| s == name) {
                Some(i) => i,
                None => {
                    streams.push(name.to_string());
                    streams.len() - 1
                }
            };
        // The annual shocks' streams come first in every model, in the same order.
        for name in &models[0].schema.streams[..COMPONENTS.len() + N_LINES] {
            stream_of(name, &mut streams);
        }
        let mut variants: Vec<Variant> = Vec::new();
        let mut normal_streams: Vec<usize> = Vec::new();
        let outcomes = models[0].schema.outcomes.len();
        let years = models
            .iter()
            .map(|m| m.settings.horizon_years)
            .max()
            .unwrap_or(0);
        let mut members = Vec::with_capacity(models.len());
        for (model, label) in models.into_iter().zip(labels) {
            assert_eq!(
                &model.schema.streams[..COMPONENTS.len() + N_LINES],
                &streams[..COMPONENTS.len() + N_LINES],
                "the annual shocks' streams are the same in every policy"
            );
            assert_eq!(model.schema.outcomes.len(), outcomes, "the same outcomes");
            let mut member_variants = Vec::with_capacity(model.uncertain.len());
            for u in &model.uncertain {
                if u.correlated {
                    member_variants.push(None);
                    continue;
                }
                let stream = stream_of(&model.schema.streams[u.stream], &mut streams);
                let v = match variants
                    .iter()
                    .position(|v| v.stream == stream && v.param == u.param)
                {
                    Some(v) => v,
                    None => {
                        variants.push(Variant {
                            stream,
                            param: u.param.clone(),
                            sampler: u.sampler.clone(),
                        });
                        variants.len() - 1
                    }
                };
                member_variants.push(Some(v));
            }
            let mut normals = Vec::new();
            if let Some(c) = &model.correlated {
                for k in &c.keys {
                    let stream = stream_of(&model.schema.streams[k.stream], &mut streams);
                    let at = match normal_streams.iter().position(|s| *s == stream) {
                        Some(at) => at,
                        None => {
                            normal_streams.push(stream);
                            normal_streams.len() - 1
                        }
                    };
                    normals.push(at);
                }
            }
            members.push(Member {
                model,
                variants: member_variants,
                normals,
                label,
            });
        }
        PolicySet {
            streams,
            variants,
            normal_streams,
            members,
            years,
            outcomes,
        }
    }

    /// The policies' models, in order.
    pub fn model(&self, member: usize) -> &ViabilityModel {
        &self.members[member].model
    }
}

impl Family for PolicySet {
    type Worker = PolicyWorker;

    fn streams(&self) -> &[String] {
        &self.streams
    }

    fn members(&self) -> usize {
        self.members.len()
    }

    fn outcome_count(&self) -> usize {
        self.outcomes
    }

    fn worker(&self) -> PolicyWorker {
        let workers: Vec<Worker> = self.members.iter().map(|m| m.model.worker()).collect();
        let most = |f: fn(&Member) -> usize| self.members.iter().map(f).max().unwrap_or(0);
        PolicyWorker {
            years: vec![YearDraws::default(); self.years],
            values: vec![0.0; self.variants.len()],
            normals: vec![0.0; self.normal_streams.len()],
            z: vec![0.0; most(|m| m.normals.len())],
            inputs: vec![0.0; most(|m| m.variants.len())],
            series: vec![0.0; most(|m| m.model.schema.series.len())],
            workers,
        }
    }

    fn draw(&self, w: &mut PolicyWorker, streams: &mut Streams) {
        // Each variant from its stream as freshly seeded: a copy, so that two laws of one
        // parameter both start where a policy run alone would.
        for (value, v) in w.values.iter_mut().zip(&self.variants) {
            let mut rng = streams.get(v.stream).clone();
            *value = v.sampler.sample(&mut rng);
        }
        for (z, &s) in w.normals.iter_mut().zip(&self.normal_streams) {
            let mut rng = streams.get(s).clone();
            *z = rand::RngExt::sample(&mut rng, StandardNormal);
        }
        // The annual shocks, year by year from the component streams, exactly as
        // `ViabilityModel::draw_year` draws them (through a worker's scratch).
        let scratch = &mut w.workers[0];
        let model = &self.members[0].model;
        for (t, year) in w.years.iter_mut().enumerate() {
            model.draw_year(scratch, streams, t);
            *year = scratch.draws;
        }
    }

    fn simulate(
        &self,
        w: &mut PolicyWorker,
        member: usize,
        outcomes: &mut [f64],
    ) -> Result<(), (String, f64)> {
        let m = &self.members[member];
        let model = &m.model;
        let worker = &mut w.workers[member];
        for ((u, v), input) in model
            .uncertain
            .iter()
            .zip(&m.variants)
            .zip(w.inputs.iter_mut())
        {
            if let Some(v) = v {
                *u.slot.get_mut(&mut worker.params) = w.values[*v];
                *input = w.values[*v];
            }
        }
        if let Some(c) = &model.correlated {
            let z = &mut w.z[..m.normals.len()];
            for (zi, &at) in z.iter_mut().zip(&m.normals) {
                *zi = w.normals[at];
            }
            model.apply_copula(c, z, worker, &mut w.inputs);
        }
        step::start(&worker.params, &model.settings, &mut worker.state);
        let schema = &model.schema;
        let series = &mut w.series[..schema.series.len()];
        for t in 0..model.settings.horizon_years {
            worker.draws = w.years[t];
            model.step(worker, t, series);
            if let Some(s) = series.iter().position(|v| !v.is_finite()) {
                return Err((
                    format!(
                        "{} in year {} under {}",
                        schema.series[s].name, schema.years[t], m.label
                    ),
                    series[s],
                ));
            }
        }
        model.outcomes(worker, outcomes);
        for (o, &v) in outcomes.iter().enumerate() {
            if !(v.is_finite() || (schema.outcomes[o].is_optional() && v.is_nan())) {
                return Err((format!("{} under {}", schema.outcomes[o].name, m.label), v));
            }
        }
        Ok(())
    }
}
