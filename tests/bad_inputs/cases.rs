// The table of malformed or impossible scenarios, shared by the end-to-end test
// (`tests/bad_input.rs`, which drives the `defsim` binary) and the library-level test
// (`src/model/scenario_tests.rs`, which calls `model::load`): one table, checked at both levels.
// Included with `include!`, so it holds items only.

/// One bad input and what its error must say.
pub struct Case {
    /// Fixture path relative to `tests/bad_inputs/` (absent for the missing-file case).
    pub file: &'static str,
    /// `--set` overrides given with it.
    pub set: &'static [&'static str],
    /// Files the error names; the first is the file at fault.
    pub names: &'static [&'static str],
    /// The key path the error names; the error's key is this or starts with it and a dot
    /// (the distribution code may add the sub-key at fault: `macro.trend_growth.sd`).
    pub key: Option<&'static str>,
    /// The line the error names (`None`: the error has no line).
    pub line: Option<usize>,
    /// A fragment of the message; empty where the message belongs to `dist.rs`.
    pub says: &'static str,
}

const BASE: &str = "../../scenarios/baseline.toml";

const fn case(
    file: &'static str,
    names: &'static [&'static str],
    key: Option<&'static str>,
    line: Option<usize>,
    says: &'static str,
) -> Case {
    Case {
        file,
        set: &[],
        names,
        key,
        line,
        says,
    }
}

const fn set(set: &'static [&'static str], key: &'static str, says: &'static str) -> Case {
    Case {
        file: BASE,
        set,
        names: &["baseline.toml"],
        key: Some(key),
        line: None,
        says,
    }
}

/// Every bad input.
pub const CASES: &[Case] = &[
    // Reading and parsing.
    case("syntax_error.toml", &["syntax_error.toml"], None, Some(5), "syntax"),
    case("syntax_bad_value.toml", &["syntax_bad_value.toml"], None, Some(7), "syntax"),
    case("duplicate_key.toml", &["duplicate_key.toml"], None, Some(8), "duplicate"),
    case("empty.toml", &["empty.toml"], None, None, "empty"),
    case("does_not_exist.toml", &["does_not_exist.toml"], None, None, "cannot read"),
    // extends.
    case(
        "cycle_a.toml",
        &["cycle_b.toml", "cycle_a.toml"],
        Some("scenario.extends"),
        Some(3),
        "cycle",
    ),
    case(
        "extends_missing.toml",
        &["extends_missing.toml", "no_such_parent.toml"],
        Some("scenario.extends"),
        Some(3),
        "cannot read",
    ),
    case("extends_bad_parent.toml", &["syntax_error.toml"], None, Some(5), "syntax"),
    case(
        "extends_not_string.toml",
        &["extends_not_string.toml"],
        Some("scenario.extends"),
        Some(3),
        "expected the path",
    ),
    case(
        "patch_bare.toml",
        &["patch_bare.toml", "patch_bare_parent.toml"],
        Some("macro.persistence"),
        Some(7),
        "bare value",
    ),
    case("patch_setting.toml", &["patch_setting.toml"], Some("scenario.trials"), Some(5), "bare value"),
    // Unknown keys.
    case("unknown_table.toml", &["unknown_table.toml"], Some("militray"), Some(6), "did you mean `military`"),
    case(
        "unknown_key.toml",
        &["unknown_key.toml"],
        Some("macro.trend_grwoth"),
        Some(7),
        "did you mean `trend_growth`",
    ),
    case("unknown_line.toml", &["unknown_line.toml"], Some("lines.tanks"), Some(6), "unknown key `tanks`"),
    case(
        "unknown_dist_subkey.toml",
        &["unknown_dist_subkey.toml"],
        Some("macro.trend_growth.stdev"),
        Some(7),
        "unknown sub-key",
    ),
    case("missing_tables.toml", &["missing_tables.toml"], Some("macro"), None, "missing table"),
    // Types.
    case("dist_name_typo.toml", &["dist_name_typo.toml"], Some("macro.trend_growth"), Some(7), ""),
    case("dist_param_string.toml", &["dist_param_string.toml"], Some("macro.trend_growth"), Some(7), ""),
    case("wrong_type.toml", &["wrong_type.toml"], Some("macro.gdp0_musd"), Some(7), "expected a number"),
    case(
        "wrong_type_flag.toml",
        &["wrong_type_flag.toml"],
        Some("lines.vehicles.enabled"),
        Some(7),
        "expected true or false",
    ),
    case("table_as_value.toml", &["table_as_value.toml"], Some("macro"), Some(2), "expected the table"),
    case("nan_value.toml", &["nan_value.toml"], Some("macro.gdp0_musd"), Some(7), "finite"),
    case(
        "horizon_float.toml",
        &["horizon_float.toml"],
        Some("scenario.horizon_years"),
        Some(5),
        "expected an integer",
    ),
    case(
        "sanctions_bool.toml",
        &["sanctions_bool.toml"],
        Some("sanctions.initial"),
        Some(7),
        "expected an integer",
    ),
    // Impossible distributions.
    case("negative_sd.toml", &["negative_sd.toml"], Some("macro.trend_growth"), Some(7), ""),
    case("low_above_high.toml", &["low_above_high.toml"], Some("sanctions.import_premium"), Some(7), ""),
    case(
        "mode_outside.toml",
        &["mode_outside.toml"],
        Some("lines.ammunition.initial_cost_ratio"),
        Some(7),
        "",
    ),
    case("beta_impossible.toml", &["beta_impossible.toml"], Some("sanctions.onset_prob"), Some(7), ""),
    case("truncation_no_mass.toml", &["truncation_no_mass.toml"], Some("plan.oversight"), Some(7), ""),
    // Domains.
    case("share_above_one.toml", &["share_above_one.toml"], Some("plan.oversight"), Some(7), "not inside the domain"),
    case(
        "normal_share_unbounded.toml",
        &["normal_share_unbounded.toml"],
        Some("corruption.leakage"),
        Some(7),
        "not inside the domain",
    ),
    case(
        "persistence_reaches_one.toml",
        &["persistence_reaches_one.toml"],
        Some("macro.persistence"),
        Some(7),
        "not inside the domain",
    ),
    case(
        "growth_penalty_no_max.toml",
        &["growth_penalty_no_max.toml"],
        Some("sanctions.growth_penalty"),
        Some(7),
        "not inside the domain",
    ),
    // Counts, states, names and schedules.
    case(
        "schedule_not_one.toml",
        &["schedule_not_one.toml"],
        Some("lines.vehicles.capex_schedule"),
        Some(7),
        "sum to",
    ),
    case(
        "schedule_empty.toml",
        &["schedule_empty.toml"],
        Some("lines.vehicles.capex_schedule"),
        Some(7),
        "non-empty",
    ),
    case(
        "schedule_negative.toml",
        &["schedule_negative.toml"],
        Some("lines.explosives.capex_schedule"),
        Some(7),
        "not a share",
    ),
    case(
        "schedule_not_array.toml",
        &["schedule_not_array.toml"],
        Some("lines.explosives.capex_schedule"),
        Some(7),
        "expected an array",
    ),
    case(
        "support_partial.toml",
        &["support_partial.toml"],
        Some("support.initial"),
        Some(7),
        "\"full\", \"reduced\" or \"withdrawn\"",
    ),
    case("sanctions_two.toml", &["sanctions_two.toml"], Some("sanctions.initial"), Some(7), "expected 0"),
    case("horizon_zero.toml", &["horizon_zero.toml"], Some("scenario.horizon_years"), Some(5), ">= 1"),
    case("trials_zero.toml", &["trials_zero.toml"], Some("scenario.trials"), Some(5), ">= 1"),
    case("seed_negative.toml", &["seed_negative.toml"], Some("scenario.seed"), Some(5), ">= 0"),
    case(
        "credit_tenor_zero.toml",
        &["credit_tenor_zero.toml"],
        Some("plan.credit_tenor_years"),
        Some(7),
        ">= 1",
    ),
    case(
        "dist_on_start_offset.toml",
        &["dist_on_start_offset.toml"],
        Some("plan.start_offset"),
        Some(7),
        "never a distribution",
    ),
    case("name_unsafe.toml", &["name_unsafe.toml"], Some("scenario.name"), Some(4), "folder"),
    // Rules across keys.
    case(
        "min_import_above_import.toml",
        &["min_import_above_import.toml"],
        Some("lines.small_arms.min_import_content"),
        Some(7),
        "lies above import_content",
    ),
    case(
        "min_import_may_exceed.toml",
        &["min_import_may_exceed.toml"],
        Some("lines.ammunition.min_import_content"),
        Some(7),
        "lies above import_content",
    ),
    case("no_enabled_line.toml", &["no_enabled_line.toml"], Some("lines"), None, "no enabled line"),
    case("no_military_demand.toml", &["no_military_demand.toml"], Some("lines"), None, "no enabled line"),
    // --set.
    set(&["macro.trend_grwoth=0.04"], "macro.trend_grwoth", "--set"),
    set(&["plan.oversight"], "plan.oversight", "no `=`"),
    set(&["plan.oversight=[0.1"], "plan.oversight", "cannot read"),
    set(&["plan.oversight=1.5"], "plan.oversight", "--set"),
    set(&["plan.start_offset.mean=1"], "plan.start_offset.mean", "--set"),
    set(&["macro.trend_growth.sd=-1"], "macro.trend_growth", ""),
    set(&["support.initial=partial"], "support.initial", "--set"),
];
