//! The viability model of `../shared/MODEL.md`.

pub mod params;
