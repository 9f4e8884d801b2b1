//! Intervals of the real line, each end open or closed.
//!
//! [`Interval`] is a parameter's support (truncation applied), its truncation bounds, and
//! the domain a scenario key accepts; scenario validation checks a support against a
//! domain with [`Interval::contains_interval`].

/// An interval of the real line, each end open or closed; also used for key domains.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Lower end (may be `-inf`).
    pub lo: f64,
    /// Upper end (may be `+inf`).
    pub hi: f64,
    /// Whether `lo` itself is excluded.
    pub lo_open: bool,
    /// Whether `hi` itself is excluded.
    pub hi_open: bool,
}

impl Interval {
    /// Whether every point of `other` lies in `self`. An empty `other` (e.g. `(1, 1)`) lies
    /// in every interval; an infinite end counts as open whatever its flag says.
    pub fn contains_interval(&self, other: &Interval) -> bool {
        if [self.lo, self.hi, other.lo, other.hi]
            .iter()
            .any(|x| x.is_nan())
        {
            return false;
        }
        if other.is_empty() {
            return true;
        }
        let lo_ok = other.lo > self.lo
            || (other.lo == self.lo && (self.lo.is_infinite() || !self.lo_open || other.lo_open));
        let hi_ok = other.hi < self.hi
            || (other.hi == self.hi && (self.hi.is_infinite() || !self.hi_open || other.hi_open));
        lo_ok && hi_ok
    }

    /// Whether `x` lies in `self` (never for NaN).
    pub fn contains(&self, x: f64) -> bool {
        let above = if self.lo_open {
            x > self.lo
        } else {
            x >= self.lo
        };
        let below = if self.hi_open {
            x < self.hi
        } else {
            x <= self.hi
        };
        above && below
    }

    /// Whether no real number lies in `self`.
    pub fn is_empty(&self) -> bool {
        match self.lo.partial_cmp(&self.hi) {
            Some(std::cmp::Ordering::Less) => false,
            Some(std::cmp::Ordering::Equal) => self.lo_open || self.hi_open,
            // lo > hi, or a NaN end.
            _ => true,
        }
    }

    /// The closed interval `[lo, hi]`.
    pub fn closed(lo: f64, hi: f64) -> Interval {
        Interval {
            lo,
            hi,
            lo_open: false,
            hi_open: false,
        }
    }

    /// The open interval `(lo, hi)`.
    pub fn open(lo: f64, hi: f64) -> Interval {
        Interval {
            lo,
            hi,
            lo_open: true,
            hi_open: true,
        }
    }

    /// The points in both `self` and `other` (an end is open if it is open in the interval
    /// that sets it; on a tie, if it is open in either).
    pub fn intersect(&self, other: &Interval) -> Interval {
        let (lo, lo_open) = if self.lo > other.lo {
            (self.lo, self.lo_open)
        } else if other.lo > self.lo {
            (other.lo, other.lo_open)
        } else {
            (self.lo, self.lo_open || other.lo_open)
        };
        let (hi, hi_open) = if self.hi < other.hi {
            (self.hi, self.hi_open)
        } else if other.hi < self.hi {
            (other.hi, other.hi_open)
        } else {
            (self.hi, self.hi_open || other.hi_open)
        };
        Interval {
            lo,
            hi,
            lo_open,
            hi_open,
        }
    }
}

impl std::fmt::Display for Interval {
    /// Mathematical notation, e.g. `[0, 1]`, `(0, inf)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let open = if self.lo_open || self.lo.is_infinite() {
            '('
        } else {
            '['
        };
        let close = if self.hi_open || self.hi.is_infinite() {
            ')'
        } else {
            ']'
        };
        write!(f, "{open}{}, {}{close}", self.lo, self.hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_interval_respects_open_and_closed_ends() {
        let inf = f64::INFINITY;
        let unit = Interval::closed(0.0, 1.0);
        let open_unit = Interval::open(0.0, 1.0);
        let unit_pos = Interval {
            lo: 0.0,
            hi: 1.0,
            lo_open: true,
            hi_open: false,
        };
        let positive = Interval::open(0.0, inf);
        let non_negative = Interval {
            lo: 0.0,
            hi: inf,
            lo_open: false,
            hi_open: true,
        };
        let real = Interval::open(-inf, inf);
        let cases = [
            (unit, open_unit, true),
            (unit_pos, open_unit, true),
            (open_unit, open_unit, true),
            (unit_pos, unit, false),
            (open_unit, unit, false),
            (unit, unit, true),
            (positive, positive, true),
            (non_negative, positive, true),
            (positive, non_negative, false),
            (real, real, true),
            (real, Interval::closed(-inf, inf), true),
            (positive, real, false),
            (unit, Interval::closed(0.2, 1.5), false),
            (unit, Interval::closed(-0.2, 0.5), false),
            (unit, Interval::closed(0.5, 0.5), true),
            (open_unit, Interval::closed(1.0, 1.0), false),
            (open_unit, Interval::open(1.0, 1.0), true),
            (unit, Interval::closed(f64::NAN, 0.5), false),
        ];
        for (outer, inner, want) in cases {
            assert_eq!(outer.contains_interval(&inner), want, "{inner} in {outer}");
        }
        assert!(unit.contains(0.0) && !open_unit.contains(0.0) && !unit.contains(f64::NAN));
        assert!(positive.contains(1e300) && !positive.contains(inf));
    }

    #[test]
    fn interval_display() {
        let inf = f64::INFINITY;
        assert_eq!(Interval::closed(0.0, 1.0).to_string(), "[0, 1]");
        assert_eq!(Interval::open(0.0, inf).to_string(), "(0, inf)");
        assert_eq!(Interval::open(-inf, inf).to_string(), "(-inf, inf)");
        assert_eq!(Interval::closed(-inf, 0.5).to_string(), "(-inf, 0.5]");
        let half = Interval {
            lo: 0.0,
            hi: 1.0,
            lo_open: false,
            hi_open: true,
        };
        assert_eq!(half.to_string(), "[0, 1)");
    }
}
