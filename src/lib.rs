//! defsim: a Monte Carlo engine that asks whether a fragile state's plan to build its own
//! defense industry can work. See `docs/model.md` for the model and README for the CLI.

pub mod analysis;
pub mod app;
pub mod cli;
pub mod dist;
pub mod engine;
pub mod experiment;
pub mod export;
pub mod model;
pub mod scenario;
pub mod stats;
