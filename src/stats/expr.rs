//! Conditions on a trial's outcomes: the expression language of the scenario's `[criteria]`
//! table and of `discover --where`.
//!
//! Grammar, loosest binding first:
//!
//! ```text
//! expr    := and ("or" and)*
//! and     := not ("and" not)*
//! not     := "not" not | primary
//! primary := "(" expr ")" | operand OP operand      OP: < <= > >= == !=
//! operand := NUMBER | NAME
//! ```
//!
//! so a comparison binds tightest, then `not`, then `and`, then `or`. A NUMBER may carry a
//! sign and an exponent (`-0.5`, `+2`, `1e6`, `2.5E-3`); a NAME is an outcome's name, letters,
//! digits, `_` and `.` (`ammunition.independence`), not starting with a digit. The keywords
//! are lower case. A comparison is never chained (`a < b < c` is an error) and a bare name is
//! not a condition (write `viable == 1`).
//!
//! Values may be absent (an outcome such as `breakeven_year` in a trial that never breaks
//! even, passed as NaN). A comparison with an absent value is *unknown*, and unknown follows
//! Kleene's three-valued logic: `not` unknown is unknown, false `and` unknown is false, true
//! `or` unknown is true. A condition that ends unknown does not hold ([`Truth::holds`]).
//!
//! Errors carry the 1-based column (in characters) of the expression where parsing or name
//! resolution failed, so that a caller can point at it.

use std::fmt;

/// A three-valued truth: a comparison with an absent value is [`Truth::Unknown`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truth {
    /// Known false.
    False,
    /// Known true.
    True,
    /// Depends on an absent value.
    Unknown,
}

/// Kleene negation: unknown stays unknown.
impl std::ops::Not for Truth {
    type Output = Truth;

    fn not(self) -> Truth {
        match self {
            Truth::False => Truth::True,
            Truth::True => Truth::False,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

impl Truth {
    /// Kleene conjunction: false wins over unknown.
    pub fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::False, _) | (_, Truth::False) => Truth::False,
            (Truth::True, Truth::True) => Truth::True,
            _ => Truth::Unknown,
        }
    }

    /// Kleene disjunction: true wins over unknown.
    pub fn or(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::True, _) | (_, Truth::True) => Truth::True,
            (Truth::False, Truth::False) => Truth::False,
            _ => Truth::Unknown,
        }
    }

    /// Whether the condition holds: only a known true does (unknown counts as 0).
    pub fn holds(self) -> bool {
        self == Truth::True
    }
}

/// Why an expression was rejected, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct ExprError {
    /// 1-based column, in characters, of the expression where the problem is.
    pub column: usize,
    /// What is wrong and, where it helps, what to write instead.
    pub message: String,
}

impl ExprError {
    fn new(column: usize, message: impl Into<String>) -> ExprError {
        ExprError {
            column,
            message: message.into(),
        }
    }

    /// The expression on one line and a caret under the failing column, for a message.
    pub fn pointer(&self, source: &str) -> String {
        format!(
            "  {source}\n  {}^",
            " ".repeat(self.column.saturating_sub(1))
        )
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

impl CmpOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }

    /// Compares two values; unknown when either is absent (NaN).
    pub fn apply(self, a: f64, b: f64) -> Truth {
        if a.is_nan() || b.is_nan() {
            return Truth::Unknown;
        }
        let t = match self {
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
        };
        if t { Truth::True } else { Truth::False }
    }
}

/// A name as written, with the column where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// The name.
    pub text: String,
    /// 1-based column of its first character.
    pub column: usize,
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// One side of a comparison: a number or a value named `N` (a [`Name`] once parsed, an
/// index once resolved).
#[derive(Debug, Clone, PartialEq)]
pub enum Operand<N> {
    /// A literal number.
    Number(f64),
    /// A named value.
    Value(N),
}

/// A parsed condition. `N` is [`Name`] after [`parse`] and `usize` (an index into the row
/// of values) after [`Expr::resolve`].
#[derive(Debug, Clone, PartialEq)]
pub enum Expr<N> {
    /// `left OP right`.
    Compare {
        /// Left operand.
        left: Operand<N>,
        /// Operator.
        op: CmpOp,
        /// Right operand.
        right: Operand<N>,
    },
    /// `not e`.
    Not(Box<Expr<N>>),
    /// `a and b`.
    And(Box<Expr<N>>, Box<Expr<N>>),
    /// `a or b`.
    Or(Box<Expr<N>>, Box<Expr<N>>),
}

impl Expr<Name> {
    /// Every name the expression uses, in the order written (repeats included).
    pub fn names(&self) -> Vec<&Name> {
        let mut out = Vec::new();
        self.visit_names(&mut |n| out.push(n));
        out
    }

    fn visit_names<'a>(&'a self, f: &mut impl FnMut(&'a Name)) {
        match self {
            Expr::Compare { left, right, .. } => {
                for o in [left, right] {
                    if let Operand::Value(n) = o {
                        f(n);
                    }
                }
            }
            Expr::Not(e) => e.visit_names(f),
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.visit_names(f);
                b.visit_names(f);
            }
        }
    }

    /// Replaces every name by the index `lookup` gives it; `lookup`'s error message is
    /// reported at the name's column.
    pub fn resolve(
        &self,
        lookup: &mut impl FnMut(&str) -> Result<usize, String>,
    ) -> Result<Expr<usize>, ExprError> {
        let operand = |o: &Operand<Name>,
                       lookup: &mut dyn FnMut(&str) -> Result<usize, String>|
         -> Result<Operand<usize>, ExprError> {
            Ok(match o {
                Operand::Number(x) => Operand::Number(*x),
                Operand::Value(n) => {
                    Operand::Value(lookup(&n.text).map_err(|m| ExprError::new(n.column, m))?)
                }
            })
        };
        Ok(match self {
            Expr::Compare { left, op, right } => Expr::Compare {
                left: operand(left, lookup)?,
                op: *op,
                right: operand(right, lookup)?,
            },
            Expr::Not(e) => Expr::Not(Box::new(e.resolve(lookup)?)),
            Expr::And(a, b) => {
                Expr::And(Box::new(a.resolve(lookup)?), Box::new(b.resolve(lookup)?))
            }
            Expr::Or(a, b) => Expr::Or(Box::new(a.resolve(lookup)?), Box::new(b.resolve(lookup)?)),
        })
    }
}

impl Expr<usize> {
    /// Evaluates the condition on a row of values (`value(i)` is the value with index `i`,
    /// NaN when absent).
    pub fn eval(&self, value: &impl Fn(usize) -> f64) -> Truth {
        let get = |o: &Operand<usize>| match o {
            Operand::Number(x) => *x,
            Operand::Value(i) => value(*i),
        };
        match self {
            Expr::Compare { left, op, right } => op.apply(get(left), get(right)),
            Expr::Not(e) => !e.eval(value),
            Expr::And(a, b) => {
                let l = a.eval(value);
                if l == Truth::False {
                    return Truth::False;
                }
                l.and(b.eval(value))
            }
            Expr::Or(a, b) => {
                let l = a.eval(value);
                if l == Truth::True {
                    return Truth::True;
                }
                l.or(b.eval(value))
            }
        }
    }

    /// Evaluates on a slice of values indexed as resolved; true only when known true.
    pub fn holds(&self, row: &[f64]) -> bool {
        self.eval(&|i| row[i]).holds()
    }

    /// Every index the expression reads, in the order written (repeats included).
    pub fn indices(&self) -> Vec<usize> {
        let mut out = Vec::new();
        fn walk(e: &Expr<usize>, out: &mut Vec<usize>) {
            match e {
                Expr::Compare { left, right, .. } => {
                    for o in [left, right] {
                        if let Operand::Value(i) = o {
                            out.push(*i);
                        }
                    }
                }
                Expr::Not(e) => walk(e, out),
                Expr::And(a, b) | Expr::Or(a, b) => {
                    walk(a, out);
                    walk(b, out);
                }
            }
        }
        walk(self, &mut out);
        out
    }
}

/// Binding strength, for printing with the fewest parentheses.
fn level<N>(e: &Expr<N>) -> u8 {
    match e {
        Expr::Or(..) => 0,
        Expr::And(..) => 1,
        Expr::Not(_) => 2,
        Expr::Compare { .. } => 3,
    }
}

impl<N: fmt::Display> Expr<N> {
    fn write_at(&self, f: &mut fmt::Formatter<'_>, min: u8) -> fmt::Result {
        let paren = level(self) < min;
        if paren {
            f.write_str("(")?;
        }
        match self {
            Expr::Compare { left, op, right } => {
                write!(f, "{left} {} {right}", op.symbol())?;
            }
            Expr::Not(e) => {
                f.write_str("not ")?;
                e.write_at(f, 2)?;
            }
            // Left-associative: the right side of `a or (b or c)` keeps its parentheses.
            Expr::And(a, b) => {
                a.write_at(f, 1)?;
                f.write_str(" and ")?;
                b.write_at(f, 2)?;
            }
            Expr::Or(a, b) => {
                a.write_at(f, 0)?;
                f.write_str(" or ")?;
                b.write_at(f, 1)?;
            }
        }
        if paren {
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl<N: fmt::Display> fmt::Display for Operand<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Number(x) => write!(f, "{x}"),
            Operand::Value(n) => write!(f, "{n}"),
        }
    }
}

/// Prints the expression in a canonical form (single spaces, only the parentheses that
/// precedence needs) that parses back to the same expression.
impl<N: fmt::Display> fmt::Display for Expr<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_at(f, 0)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Number(f64),
    Name(String),
    Cmp(CmpOp),
    Not,
    And,
    Or,
    Open,
    Close,
    End,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Number(x) => format!("the number {x}"),
            Tok::Name(n) => format!("`{n}`"),
            Tok::Cmp(op) => format!("`{}`", op.symbol()),
            Tok::Not => "`not`".into(),
            Tok::And => "`and`".into(),
            Tok::Or => "`or`".into(),
            Tok::Open => "`(`".into(),
            Tok::Close => "`)`".into(),
            Tok::End => "the end of the expression".into(),
        }
    }
}

/// Splits `src` into tokens, each with its 1-based column.
fn lex(src: &str) -> Result<Vec<(Tok, usize)>, ExprError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let name_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.';
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let next = chars.get(i + 1).copied();
        let tok = match c {
            '(' => {
                i += 1;
                Tok::Open
            }
            ')' => {
                i += 1;
                Tok::Close
            }
            '<' | '>' | '=' | '!' => {
                let two = next == Some('=');
                let op = match (c, two) {
                    ('<', false) => CmpOp::Lt,
                    ('<', true) => CmpOp::Le,
                    ('>', false) => CmpOp::Gt,
                    ('>', true) => CmpOp::Ge,
                    ('=', true) => CmpOp::Eq,
                    ('!', true) => CmpOp::Ne,
                    ('=', false) => {
                        return Err(ExprError::new(col, "`=` is not an operator; write `==`"));
                    }
                    _ => {
                        return Err(ExprError::new(
                            col,
                            "`!` alone is not an operator; write `not` or `!=`",
                        ));
                    }
                };
                i += if two { 2 } else { 1 };
                Tok::Cmp(op)
            }
            '&' | '|' => {
                let word = if c == '&' { "and" } else { "or" };
                return Err(ExprError::new(
                    col,
                    format!("`{c}` is not an operator; write `{word}`"),
                ));
            }
            c if c.is_ascii_digit() || c == '.' || c == '+' || c == '-' => {
                let start = i;
                if c == '+' || c == '-' {
                    i += 1;
                }
                let digits = |i: &mut usize| {
                    let s = *i;
                    while *i < chars.len() && chars[*i].is_ascii_digit() {
                        *i += 1;
                    }
                    *i - s
                };
                let mut mantissa = digits(&mut i);
                if i < chars.len() && chars[i] == '.' {
                    i += 1;
                    mantissa += digits(&mut i);
                }
                if mantissa == 0 {
                    return Err(ExprError::new(
                        col,
                        format!(
                            "`{}` does not start a number (a number is written like 2, -0.5 or 1e6)",
                            chars[start..i.max(start + 1)].iter().collect::<String>()
                        ),
                    ));
                }
                if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                    let e_col = i + 1;
                    i += 1;
                    if i < chars.len() && (chars[i] == '+' || chars[i] == '-') {
                        i += 1;
                    }
                    if digits(&mut i) == 0 {
                        return Err(ExprError::new(e_col, "the exponent has no digits"));
                    }
                }
                if i < chars.len() && name_char(chars[i]) {
                    return Err(ExprError::new(
                        i + 1,
                        "a number runs into a name; separate them with a space or an operator",
                    ));
                }
                let text: String = chars[start..i].iter().collect();
                let x: f64 = text
                    .parse()
                    .map_err(|_| ExprError::new(col, format!("`{text}` is not a number")))?;
                if !x.is_finite() {
                    return Err(ExprError::new(
                        col,
                        format!("`{text}` is not a finite number"),
                    ));
                }
                Tok::Number(x)
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && name_char(chars[i]) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                match word.as_str() {
                    "not" => Tok::Not,
                    "and" => Tok::And,
                    "or" => Tok::Or,
                    _ => {
                        if word.ends_with('.') || word.contains("..") {
                            return Err(ExprError::new(col, format!("`{word}` is not a name")));
                        }
                        Tok::Name(word)
                    }
                }
            }
            other => {
                return Err(ExprError::new(
                    col,
                    format!("unexpected character `{other}`"),
                ));
            }
        };
        out.push((tok, col));
    }
    out.push((Tok::End, chars.len() + 1));
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.at].0
    }

    fn column(&self) -> usize {
        self.toks[self.at].1
    }

    fn bump(&mut self) -> (Tok, usize) {
        let t = self.toks[self.at].clone();
        if t.0 != Tok::End {
            self.at += 1;
        }
        t
    }

    fn or(&mut self) -> Result<Expr<Name>, ExprError> {
        let mut e = self.and()?;
        while *self.peek() == Tok::Or {
            self.bump();
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }

    fn and(&mut self) -> Result<Expr<Name>, ExprError> {
        let mut e = self.not()?;
        while *self.peek() == Tok::And {
            self.bump();
            e = Expr::And(Box::new(e), Box::new(self.not()?));
        }
        Ok(e)
    }

    fn not(&mut self) -> Result<Expr<Name>, ExprError> {
        if *self.peek() == Tok::Not {
            self.bump();
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr<Name>, ExprError> {
        if *self.peek() == Tok::Open {
            let (_, open) = self.bump();
            let e = self.or()?;
            return match self.bump() {
                (Tok::Close, _) => Ok(e),
                (t, col) => Err(ExprError::new(
                    col,
                    format!(
                        "expected `)` to close the `(` of column {open}, found {}",
                        t.describe()
                    ),
                )),
            };
        }
        let left = self.operand("a condition (NAME OP VALUE, `not`, or `(`)")?;
        let op = match self.bump() {
            (Tok::Cmp(op), _) => op,
            (t, col) => {
                return Err(ExprError::new(
                    col,
                    format!(
                        "expected a comparison operator (< <= > >= == !=) after `{left}`, found {}{}",
                        t.describe(),
                        if matches!(t, Tok::End | Tok::And | Tok::Or | Tok::Close) {
                            format!(" (a bare name is not a condition: write `{left} == 1`)")
                        } else {
                            String::new()
                        }
                    ),
                ));
            }
        };
        let right = self.operand("a number or an outcome name")?;
        if let Tok::Cmp(_) = self.peek() {
            return Err(ExprError::new(
                self.column(),
                "comparisons do not chain; join them with `and`",
            ));
        }
        Ok(Expr::Compare { left, op, right })
    }

    fn operand(&mut self, wanted: &str) -> Result<Operand<Name>, ExprError> {
        match self.bump() {
            (Tok::Number(x), _) => Ok(Operand::Number(x)),
            (Tok::Name(text), column) => Ok(Operand::Value(Name { text, column })),
            (t, col) => Err(ExprError::new(
                col,
                format!("expected {wanted}, found {}", t.describe()),
            )),
        }
    }
}

/// Parses a condition. Names are not checked here: [`Expr::resolve`] maps them to the
/// values of a row and reports unknown ones at their column.
pub fn parse(src: &str) -> Result<Expr<Name>, ExprError> {
    let toks = lex(src)?;
    let mut p = Parser { toks, at: 0 };
    if *p.peek() == Tok::End {
        return Err(ExprError::new(1, "the expression is empty"));
    }
    let e = p.or()?;
    match p.bump() {
        (Tok::End, _) => Ok(e),
        (Tok::Close, col) => Err(ExprError::new(col, "`)` without a matching `(`")),
        (t, col) => Err(ExprError::new(
            col,
            format!("expected `and`, `or` or the end, found {}", t.describe()),
        )),
    }
}

/// Parses `src` and resolves its names against `names` (index = position); an unknown name
/// is an error at its column that lists the names.
pub fn compile(src: &str, names: &[String]) -> Result<Expr<usize>, ExprError> {
    parse(src)?.resolve(&mut |n| {
        names
            .iter()
            .position(|x| x == n)
            .ok_or_else(|| format!("no outcome `{n}`; outcomes are {}", names.join(", ")))
    })
}

#[cfg(test)]
mod tests;
