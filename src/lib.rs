//! defsim: a Monte Carlo engine that asks whether a fragile state's plan to build its own
//! defense industry can work. See `docs/model.md` for the model, README for the CLI and
//! `docs/architecture.md` for the layers.
//!
//! The public boundary is what another model (another country's plan) needs: the
//! [`engine`] (the [`engine::Model`] trait, the outcome and series schema, runs and
//! designs), the generic [`scenario`] loader and its key schema, [`stats`], and the
//! reports of [`analysis`] that summarise, compare and check runs. [`model`] is the
//! viability model of Mali's 2025 plan; [`app`] and [`cli`] are the binary's verbs and
//! options; [`export`] writes files. Everything else is `pub(crate)`.

pub mod analysis;
pub mod app;
pub mod cli;
pub mod dist;
pub mod engine;
pub mod experiment;
pub mod export;
pub mod model;
pub mod out;
pub mod scenario;
pub mod stats;
