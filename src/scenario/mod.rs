//! Scenario files: raw TOML, the merge of `extends`, `--set` overrides, and validation into
//! a [`Scenario`] in which every number is already checked.
//!
//! SKELETON: the public API below is fixed; bodies are to be filled in.

use std::path::{Path, PathBuf};

use crate::dist::Param;
use crate::model::params::{Settings, Slot};

/// A validated scenario: past this point nothing re-checks user input.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// `scenario.name` (default output folder).
    pub name: String,
    /// `scenario.description`: the question the scenario asks.
    pub description: String,
    /// The file given by the user.
    pub file: PathBuf,
    /// `scenario.seed`.
    pub seed: u64,
    /// `scenario.trials`.
    pub trials: u64,
    /// Counts, states and flags.
    pub settings: Settings,
    /// Every numeric key, in [`crate::model::params::numeric_key_paths`] order.
    pub params: Vec<ParamEntry>,
    /// The merged TOML (extends resolved, `--set` applied, `scenario.extends` removed).
    pub resolved: toml::Table,
}

/// One numeric key of a scenario.
#[derive(Debug, Clone)]
pub struct ParamEntry {
    /// Dotted key path.
    pub key: String,
    /// Where it lives in a trial's parameters.
    pub slot: Slot,
    /// Its distribution and source.
    pub param: Param,
}

/// Bad input: names the file, and the line and key path wherever they exist.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ScenarioError {
    /// The file at fault (for an `extends` cycle: the file that closes it).
    pub file: PathBuf,
    /// 1-based line, when the fault has one.
    pub line: Option<usize>,
    /// Dotted key path, when the fault has one.
    pub key: Option<String>,
    /// What was expected and what was found.
    pub message: String,
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": {key}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Loads `path`, resolves `extends`, applies `overrides` (`KEY=VALUE`, TOML values) and validates.
pub fn load(path: &Path, overrides: &[String]) -> Result<Scenario, ScenarioError> {
    let _ = (path, overrides);
    todo!()
}

impl Scenario {
    /// The resolved scenario as TOML text (deterministic key order).
    pub fn resolved_toml(&self) -> String {
        toml::to_string(&self.resolved).expect("a TOML table serialises")
    }

    /// SHA-256 (hex) of [`Scenario::resolved_toml`]: `summary.json`'s `resolved_sha256`.
    pub fn resolved_sha256(&self) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(self.resolved_toml().as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}
impl Scenario {
    /// TEMP
    pub fn print_resolved(&self) -> String {
        todo!()
    }
}
