//! Known-answer tests of condition expressions: parsing, three-valued truth, errors.

use super::*;

const NAMES: [&str; 5] = [
    "viable",
    "independence",
    "peak_fiscal_burden",
    "breakeven_year",
    "ammunition.independence",
];

fn names() -> Vec<String> {
    NAMES.iter().map(|s| s.to_string()).collect()
}

fn truth(src: &str, row: &[f64]) -> Truth {
    compile(src, &names()).unwrap().eval(&|i| row[i])
}

fn err(src: &str) -> ExprError {
    compile(src, &names()).unwrap_err()
}

/// A hand-made trial: viable, independence 0.4, burden 0.025, no break-even, ammunition
/// 0.6 independent.
const ROW: [f64; 5] = [1.0, 0.4, 0.025, f64::NAN, 0.6];

#[test]
fn comparisons_on_a_hand_made_row() {
    use Truth::*;
    for (src, want) in [
        ("viable == 1", True),
        ("viable != 1", False),
        ("independence >= 0.4", True),
        ("independence > 0.4", False),
        ("independence < 0.4", False),
        ("independence <= 0.4", True),
        ("0.3 < independence", True),
        ("independence < ammunition.independence", True),
        ("peak_fiscal_burden <= 2.5e-2", True),
        ("peak_fiscal_burden <= 25E-3", True),
        ("peak_fiscal_burden > -1", True),
        ("peak_fiscal_burden > +1", False),
        ("breakeven_year > 2030", Unknown),
        ("breakeven_year <= 2030", Unknown),
        ("breakeven_year != 2030", Unknown),
    ] {
        assert_eq!(truth(src, &ROW), want, "{src}");
    }
}

#[test]
fn absent_values_follow_three_valued_logic() {
    use Truth::*;
    for (src, want) in [
        ("not (breakeven_year > 2030)", Unknown),
        ("not breakeven_year > 2030", Unknown),
        ("breakeven_year > 2030 and viable == 0", False),
        ("viable == 0 and breakeven_year > 2030", False),
        ("breakeven_year > 2030 and viable == 1", Unknown),
        ("breakeven_year > 2030 or viable == 1", True),
        ("viable == 1 or breakeven_year > 2030", True),
        ("breakeven_year > 2030 or viable == 0", Unknown),
        ("not (breakeven_year > 2030 or viable == 0)", Unknown),
        ("not (breakeven_year > 2030 and viable == 0)", True),
    ] {
        assert_eq!(truth(src, &ROW), want, "{src}");
    }
    // Unknown counts as 0.
    let e = compile("not (breakeven_year > 2030)", &names()).unwrap();
    assert!(!e.holds(&ROW));
    let mut broke_even = ROW;
    broke_even[3] = 2029.0;
    assert!(e.holds(&broke_even));
    broke_even[3] = 2031.0;
    assert!(!e.holds(&broke_even));
}

#[test]
fn precedence_comparison_then_not_then_and_then_or() {
    use Truth::*;
    // `or` looser than `and`: F and F or T = (F and F) or T = T; as F and (F or T) it would be F.
    assert_eq!(
        truth("viable == 0 and viable == 0 or viable == 1", &ROW),
        True
    );
    // T or T and F = T or (T and F) = T; as (T or T) and F it would be F.
    assert_eq!(
        truth("viable == 1 or viable == 1 and viable == 0", &ROW),
        True
    );
    // `not` tighter than `and`: not F and F = (not F) and F = F; as not (F and F) it would be T.
    assert_eq!(truth("not viable == 0 and viable == 0", &ROW), False);
    // Parentheses override.
    assert_eq!(
        truth("viable == 0 and (viable == 0 or viable == 1)", &ROW),
        False
    );
    assert_eq!(truth("not not viable == 1", &ROW), True);
    assert_eq!(truth("((viable == 1))", &ROW), True);
    // The parse tree itself.
    let e = parse("a < 1 or not b > 2 and c == 3").unwrap();
    assert_eq!(e.to_string(), "a < 1 or not b > 2 and c == 3");
    match e {
        Expr::Or(_, r) => match *r {
            Expr::And(l, _) => assert!(matches!(*l, Expr::Not(_))),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

#[test]
fn display_is_canonical_and_parses_back() {
    for (src, shown) in [
        ("viable==1", "viable == 1"),
        ("(a<1 or b>2) and c>=3", "(a < 1 or b > 2) and c >= 3"),
        ("a<1 or (b>2 or c>=3)", "a < 1 or (b > 2 or c >= 3)"),
        ("not (a<1 and b>2)", "not (a < 1 and b > 2)"),
        ("x > -3", "x > -3"),
        ("x <= 1e6", "x <= 1000000"),
    ] {
        let e = parse(src).unwrap();
        assert_eq!(e.to_string(), shown);
        assert_eq!(parse(shown).unwrap().to_string(), shown);
    }
}

#[test]
fn errors_point_at_the_column() {
    for (src, column, says) in [
        ("viable = 1", 8, "write `==`"),
        ("", 1, "empty"),
        ("viable", 7, "bare name"),
        ("viable == ", 11, "expected a number or an outcome name"),
        ("viable == 1 and", 16, "expected a condition"),
        (
            "(viable == 1",
            13,
            "expected `)` to close the `(` of column 1",
        ),
        ("viable == 1)", 12, "without a matching `(`"),
        (
            "viable == 1 viable == 1",
            13,
            "expected `and`, `or` or the end",
        ),
        ("0 < independence < 1", 18, "do not chain"),
        ("viable == 1 && viable == 1", 13, "write `and`"),
        ("viable == 1 || viable == 1", 13, "write `or`"),
        ("!viable == 1", 1, "write `not` or `!=`"),
        ("viable == 1e", 12, "exponent"),
        ("viable == 1x", 12, "runs into a name"),
        ("viable == - 1", 11, "does not start a number"),
        ("viable == 1 and vaible == 1", 17, "no outcome `vaible`"),
        (
            "independence >= 0.5 and burden < 1",
            25,
            "no outcome `burden`",
        ),
        ("viable == 1 $", 13, "unexpected character `$`"),
        ("viable == (1)", 11, "expected a number or an outcome name"),
    ] {
        let e = err(src);
        assert_eq!(e.column, column, "{src}: {e}");
        assert!(e.message.contains(says), "{src}: {e}");
    }
    let e = err("viable == 1 and vaible == 1");
    assert_eq!(
        e.pointer("viable == 1 and vaible == 1"),
        "  viable == 1 and vaible == 1\n                  ^"
    );
}

#[test]
fn columns_count_characters_not_bytes() {
    // A non-ASCII name is not a name; the column counts characters.
    let e = parse("é == 1").unwrap_err();
    assert_eq!(e.column, 1);
    let e = parse("x == 1 or é").unwrap_err();
    assert_eq!(e.column, 11);
}

#[test]
fn names_and_indices_in_order_written() {
    let e = parse("a > 1 and (b < a or not c == 2)").unwrap();
    let ns: Vec<(&str, usize)> = e
        .names()
        .iter()
        .map(|n| (n.text.as_str(), n.column))
        .collect();
    assert_eq!(ns, [("a", 1), ("b", 12), ("a", 16), ("c", 25)]);
    let r = e
        .resolve(&mut |n| Ok(["a", "b", "c"].iter().position(|x| *x == n).unwrap()))
        .unwrap();
    assert_eq!(r.indices(), [0, 1, 0, 2]);
}

#[test]
fn kleene_tables() {
    use Truth::*;
    let all = [False, True, Unknown];
    for a in all {
        for b in all {
            // De Morgan holds in Kleene logic.
            assert_eq!(!a.and(b), (!a).or(!b));
            assert_eq!(a.and(b), b.and(a));
            assert_eq!(a.or(b), b.or(a));
        }
    }
    assert_eq!(False.and(Unknown), False);
    assert_eq!(True.and(Unknown), Unknown);
    assert_eq!(True.or(Unknown), True);
    assert_eq!(False.or(Unknown), Unknown);
    assert_eq!(!Unknown, Unknown);
}
