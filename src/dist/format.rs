//! Writing a parameter back the way the scenario wrote it.
//!
//! [`Param::describe`] is the short form reports show (`normal(0.05, 0.01) truncated
//! [-0.05, 0.12]`); [`Param::to_toml`] is the scenario-file form `validate --print` writes,
//! which [`Param::from_value`] reads back to an equal `Param`.

use super::param::Given;
use super::spec::{beta_from_moments, ci90_dist};
use super::{Dist, Param};

impl Param {
    /// How the scenario wrote the distribution, if still consistent with `dist` (the fields
    /// are public: a caller that replaced `dist` gets the stored family back).
    fn form(&self) -> Given {
        match self.given {
            Given::Ci90 { low, high } if ci90_dist(low, high) == self.dist => self.given,
            Given::BetaMoments { mean, sd }
                if beta_from_moments(mean, sd).ok().as_ref() == Some(&self.dist) =>
            {
                self.given
            }
            _ => Given::AsDist,
        }
    }

    /// Short description for reports: `normal(0.05, 0.01) truncated [-0.05, 0.12]`, `0.3`.
    pub fn describe(&self) -> String {
        let list = |xs: &[f64]| {
            xs.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut s = match (self.form(), &self.dist) {
            (Given::Ci90 { low, high }, _) => format!("ci90({low}, {high})"),
            (Given::BetaMoments { mean, sd }, _) => format!("beta(mean {mean}, sd {sd})"),
            (_, Dist::Fixed(v)) => v.to_string(),
            (_, Dist::Uniform { low, high }) => format!("uniform({low}, {high})"),
            (_, Dist::Normal { mean, sd }) => format!("normal({mean}, {sd})"),
            (_, Dist::LogNormal { median, sigma }) => format!("lognormal({median}, {sigma})"),
            (_, Dist::Triangular { low, mode, high }) => {
                format!("triangular({low}, {mode}, {high})")
            }
            (_, Dist::Pert { low, mode, high }) => format!("pert({low}, {mode}, {high})"),
            (_, Dist::Beta { alpha, beta }) => format!("beta({alpha}, {beta})"),
            (_, Dist::Discrete { values, weights }) => {
                format!("discrete([{}], weights [{}])", list(values), list(weights))
            }
        };
        if self.min.is_some() || self.max.is_some() {
            s.push_str(&format!(" truncated {}", self.bounds()));
        }
        s
    }

    /// The scenario-file form (a bare number for a fixed value, else an inline table),
    /// `source` included: used by `validate --print`.
    pub fn to_toml(&self) -> toml::Value {
        use toml::Value;
        if let (Dist::Fixed(v), None) = (&self.dist, &self.source) {
            return Value::Float(*v);
        }
        let num = |k: &'static str, v: f64| (k, Value::Float(v));
        let array = |k: &'static str, xs: &[f64]| {
            (
                k,
                Value::Array(xs.iter().map(|x| Value::Float(*x)).collect()),
            )
        };
        let (name, keys) = match (self.form(), &self.dist) {
            (Given::Ci90 { low, high }, _) => ("ci90", vec![num("low", low), num("high", high)]),
            (Given::BetaMoments { mean, sd }, _) => {
                ("beta", vec![num("mean", mean), num("sd", sd)])
            }
            (_, Dist::Fixed(v)) => ("fixed", vec![num("value", *v)]),
            (_, Dist::Uniform { low, high }) => {
                ("uniform", vec![num("low", *low), num("high", *high)])
            }
            (_, Dist::Normal { mean, sd }) => ("normal", vec![num("mean", *mean), num("sd", *sd)]),
            (_, Dist::LogNormal { median, sigma }) => (
                "lognormal",
                vec![num("median", *median), num("sigma", *sigma)],
            ),
            (_, Dist::Triangular { low, mode, high }) => (
                "triangular",
                vec![num("low", *low), num("mode", *mode), num("high", *high)],
            ),
            (_, Dist::Pert { low, mode, high }) => (
                "pert",
                vec![num("low", *low), num("mode", *mode), num("high", *high)],
            ),
            (_, Dist::Beta { alpha, beta }) => {
                ("beta", vec![num("alpha", *alpha), num("beta", *beta)])
            }
            (_, Dist::Discrete { values, weights }) => (
                "discrete",
                vec![array("values", values), array("weights", weights)],
            ),
        };
        // `dist` first, then the family's keys, truncation and source: the order a scenario
        // writes them in (kept if toml's `preserve_order` is on, sorted otherwise).
        let mut t = toml::Table::new();
        t.insert("dist".to_string(), Value::String(name.to_string()));
        let extra = [
            self.min.map(|m| num("min", m)),
            self.max.map(|m| num("max", m)),
            self.source.clone().map(|s| ("source", Value::String(s))),
        ];
        for (k, v) in keys.into_iter().chain(extra.into_iter().flatten()) {
            t.insert(k.to_string(), v);
        }
        Value::Table(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::testutil::param;

    #[test]
    fn describe_is_short_and_shows_how_it_was_written() {
        let cases = [
            (
                "{ dist = \"normal\", mean = 0.05, sd = 0.01, min = -0.05, max = 0.12 }",
                "normal(0.05, 0.01) truncated [-0.05, 0.12]",
            ),
            (
                "{ dist = \"beta\", mean = 0.1, sd = 0.05 }",
                "beta(mean 0.1, sd 0.05)",
            ),
            ("{ dist = \"beta\", alpha = 2, beta = 5 }", "beta(2, 5)"),
            (
                "{ dist = \"ci90\", low = 0.2, high = 0.4 }",
                "ci90(0.2, 0.4)",
            ),
            (
                "{ dist = \"triangular\", low = 0.1, mode = 0.25, high = 0.5 }",
                "triangular(0.1, 0.25, 0.5)",
            ),
            (
                "{ dist = \"pert\", low = 0, mode = 2, high = 10 }",
                "pert(0, 2, 10)",
            ),
            (
                "{ dist = \"uniform\", low = 0, high = 1, min = 0.5 }",
                "uniform(0, 1) truncated [0.5, inf)",
            ),
            (
                "{ dist = \"lognormal\", median = 2, sigma = 0.5 }",
                "lognormal(2, 0.5)",
            ),
            ("{ dist = \"fixed\", value = 0.3, source = \"x\" }", "0.3"),
            (
                "{ dist = \"discrete\", values = [1, 2], weights = [3, 1] }",
                "discrete([1, 2], weights [3, 1])",
            ),
        ];
        for (src, want) in cases {
            assert_eq!(param(src).describe(), want);
        }
        assert_eq!(Param::fixed(0.3).describe(), "0.3");
    }

    #[test]
    fn to_toml_round_trips() {
        let cases = [
            "{ dist = \"fixed\", value = 0.3 }",
            "{ dist = \"fixed\", value = 0.3, source = \"World Bank 2024\" }",
            "{ dist = \"uniform\", low = 2, high = 5, min = 3 }",
            "{ dist = \"normal\", mean = 0.05, sd = 0.01, min = -0.05, max = 0.12, source = \"article\" }",
            "{ dist = \"lognormal\", median = 2, sigma = 0.5 }",
            "{ dist = \"triangular\", low = 0.1, mode = 0.25, high = 0.5 }",
            "{ dist = \"pert\", low = 0, mode = 2, high = 10, max = 9 }",
            "{ dist = \"beta\", mean = 0.1, sd = 0.05, source = \"stress case\" }",
            "{ dist = \"beta\", alpha = 0.5, beta = 3 }",
            "{ dist = \"ci90\", low = 0.2, high = 0.4 }",
            "{ dist = \"ci90\", low = -0.3, high = 0.7, max = 0.5 }",
            "{ dist = \"discrete\", values = [1, 2.5], weights = [3, 1], min = 2 }",
        ];
        for src in cases {
            let p = param(src);
            let v = p.to_toml();
            assert_eq!(Param::from_value(&v).as_ref(), Ok(&p), "{src} -> {v}");
            // Through text, as `validate --print` writes it.
            let mut doc = toml::Table::new();
            doc.insert("p".to_string(), v);
            let text = toml::to_string(&doc).expect("serialises");
            let back: toml::Table = toml::from_str(&text).expect("parses");
            assert_eq!(
                Param::from_value(&back["p"]).as_ref(),
                Ok(&p),
                "{src} -> {text}"
            );
        }
        assert_eq!(Param::fixed(0.3).to_toml(), toml::Value::Float(0.3));
        assert_eq!(
            param("{ dist = \"fixed\", value = 0.3 }").to_toml(),
            toml::Value::Float(0.3)
        );
        let t = param("{ dist = \"ci90\", low = 0.2, high = 0.4 }").to_toml();
        assert_eq!(t.get("dist").and_then(|d| d.as_str()), Some("ci90"));
        let t = param("{ dist = \"beta\", mean = 0.1, sd = 0.05 }").to_toml();
        assert!(t.get("mean").is_some() && t.get("alpha").is_none());
    }
}
