//! The part of JMESPath that Smithy waiters use, evaluated over a `serde_json::Value` view of
//! an operation's input and output keyed by Smithy member names (runtime feature `waiters`).
//!
//! Supported: identifiers (bare and `"quoted"`), `@`, sub-expressions `a.b`, index `[n]`
//! (negative from the end), projections `[*]`, `[]` (flatten), `*` (object values), filters
//! `[?expr]`, pipes `|`, comparisons `== != < <= > >=`, `&&`, `||`, `!`, parentheses, raw
//! strings `'text'`, JSON literals `` `json` ``, and the functions `length`, `contains`,
//! `keys` and `values`. Anything else is a parse error, never a panic. The parser follows the
//! binding powers of the JMESPath reference implementation.

use serde_json::Value;

/// A parsed expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Ast {
    /// `@`
    Current,
    /// A field of an object.
    Field(String),
    /// `[n]`
    Index(i64),
    /// A JSON literal or raw string.
    Literal(Value),
    /// `lhs.rhs`, `lhs[..]`, `lhs | rhs`: `rhs` evaluated on the result of `lhs`.
    Sub(Box<Ast>, Box<Ast>),
    /// `lhs[*] rhs`, `lhs[] rhs`, `lhs.* rhs`, `lhs[?cond] rhs`.
    Projection {
        /// How the list to project is made from the input.
        kind: ProjectionKind,
        lhs: Box<Ast>,
        rhs: Box<Ast>,
    },
    /// A comparison.
    Cmp(Comparator, Box<Ast>, Box<Ast>),
    And(Box<Ast>, Box<Ast>),
    Or(Box<Ast>, Box<Ast>),
    Not(Box<Ast>),
    /// A function call.
    Call(String, Vec<Ast>),
}

/// What a projection projects.
#[derive(Clone, Debug, PartialEq)]
pub enum ProjectionKind {
    /// `[*]`: the elements of a list.
    List,
    /// `[]`: the elements of a list, one level of nested lists flattened.
    Flatten,
    /// `*`: the values of an object.
    Values,
    /// `[?cond]`: the elements of a list for which `cond` is truthy.
    Filter(Box<Ast>),
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparator {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Ident(String),
    Quoted(String),
    Literal(Value),
    Number(i64),
    Dot,
    Star,
    Flatten,
    Filter,
    LBracket,
    RBracket,
    LParen,
    RParen,
    Comma,
    Pipe,
    Or,
    And,
    Not,
    At,
    Cmp(Comparator),
    Eof,
}

impl Token {
    fn binding_power(&self) -> u8 {
        match self {
            Token::Pipe => 1,
            Token::Or => 2,
            Token::And => 3,
            Token::Cmp(_) => 5,
            Token::Flatten => 9,
            Token::Star => 20,
            Token::Filter => 21,
            Token::Dot => 40,
            Token::Not => 45,
            Token::LBracket => 55,
            Token::LParen => 60,
            _ => 0,
        }
    }
}

fn lex(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let two = |t: Token| (t, 2);
        let (token, len) = match c {
            ' ' | '\t' | '\n' | '\r' => {
                i += 1;
                continue;
            }
            '.' => (Token::Dot, 1),
            '*' => (Token::Star, 1),
            ']' => (Token::RBracket, 1),
            '(' => (Token::LParen, 1),
            ')' => (Token::RParen, 1),
            ',' => (Token::Comma, 1),
            '@' => (Token::At, 1),
            '[' if next == Some(']') => two(Token::Flatten),
            '[' if next == Some('?') => two(Token::Filter),
            '[' => (Token::LBracket, 1),
            '|' if next == Some('|') => two(Token::Or),
            '|' => (Token::Pipe, 1),
            '&' if next == Some('&') => two(Token::And),
            '!' if next == Some('=') => two(Token::Cmp(Comparator::Ne)),
            '!' => (Token::Not, 1),
            '=' if next == Some('=') => two(Token::Cmp(Comparator::Eq)),
            '<' if next == Some('=') => two(Token::Cmp(Comparator::Le)),
            '<' => (Token::Cmp(Comparator::Lt), 1),
            '>' if next == Some('=') => two(Token::Cmp(Comparator::Ge)),
            '>' => (Token::Cmp(Comparator::Gt), 1),
            '\'' | '"' | '`' => {
                let (body, len) = delimited(&chars[i..], c)?;
                let token = match c {
                    '\'' => Token::Literal(Value::String(body.replace("\\'", "'"))),
                    '"' => Token::Quoted(
                        serde_json::from_str(&format!("\"{body}\"")).map_err(|e| format!("bad quoted name: {e}"))?,
                    ),
                    _ => Token::Literal(
                        serde_json::from_str(&body.replace("\\`", "`"))
                            .map_err(|e| format!("bad JSON literal `{body}`: {e}"))?,
                    ),
                };
                (token, len)
            }
            c if c.is_ascii_digit() || c == '-' => {
                let end = (i + 1..chars.len()).find(|&j| !chars[j].is_ascii_digit()).unwrap_or(chars.len());
                let digits: String = chars[i..end].iter().collect();
                let n = digits.parse().map_err(|_| format!("bad number `{digits}`"))?;
                (Token::Number(n), end - i)
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let end = (i..chars.len())
                    .find(|&j| !(chars[j].is_ascii_alphanumeric() || chars[j] == '_'))
                    .unwrap_or(chars.len());
                (Token::Ident(chars[i..end].iter().collect()), end - i)
            }
            other => return Err(format!("unexpected character `{other}` at {i}")),
        };
        out.push(token);
        i += len;
    }
    out.push(Token::Eof);
    Ok(out)
}

/// The text between the delimiter at `chars[0]` and the next unescaped one, and the length
/// consumed (both delimiters included).
fn delimited(chars: &[char], delim: char) -> Result<(String, usize), String> {
    let mut i = 1;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            c if c == delim => return Ok((chars[1..i].iter().collect(), i + 1)),
            _ => i += 1,
        }
    }
    Err(format!("unterminated {delim}"))
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

/// Parses an expression.
pub fn parse(text: &str) -> Result<Ast, String> {
    let mut p = Parser { tokens: lex(text)?, pos: 0 };
    let ast = p.expression(0)?;
    match p.peek() {
        Token::Eof => Ok(ast),
        t => Err(format!("unexpected {t:?} after a complete expression")),
    }
}

impl Parser {
    fn peek(&self) -> &Token {
        self.tokens.get(self.pos).unwrap_or(&Token::Eof)
    }
    fn advance(&mut self) -> Token {
        let t = self.peek().clone();
        self.pos += 1;
        t
    }
    fn expect(&mut self, want: &Token) -> Result<(), String> {
        match self.advance() {
            t if &t == want => Ok(()),
            t => Err(format!("expected {want:?}, found {t:?}")),
        }
    }

    fn expression(&mut self, rbp: u8) -> Result<Ast, String> {
        let first = self.advance();
        let mut left = self.nud(first)?;
        while rbp < self.peek().binding_power() {
            let t = self.advance();
            left = self.led(t, left)?;
        }
        Ok(left)
    }

    fn nud(&mut self, token: Token) -> Result<Ast, String> {
        match token {
            Token::Ident(name) if *self.peek() == Token::LParen => {
                self.advance();
                let mut args = Vec::new();
                while *self.peek() != Token::RParen {
                    args.push(self.expression(0)?);
                    if *self.peek() == Token::Comma {
                        self.advance();
                    }
                }
                self.advance();
                check_function(&name, args.len())?;
                Ok(Ast::Call(name, args))
            }
            Token::Ident(name) | Token::Quoted(name) => Ok(Ast::Field(name)),
            Token::Literal(v) => Ok(Ast::Literal(v)),
            Token::At => Ok(Ast::Current),
            Token::Not => Ok(Ast::Not(Box::new(self.expression(Token::Not.binding_power())?))),
            Token::LParen => {
                let inner = self.expression(0)?;
                self.expect(&Token::RParen)?;
                Ok(inner)
            }
            Token::Star => self.projection(ProjectionKind::Values, Ast::Current),
            Token::Flatten => self.projection(ProjectionKind::Flatten, Ast::Current),
            Token::Filter => self.filter(Ast::Current),
            Token::LBracket => self.bracket(Ast::Current),
            t => Err(format!("unexpected {t:?}")),
        }
    }

    fn led(&mut self, token: Token, left: Ast) -> Result<Ast, String> {
        let bp = token.binding_power();
        match token {
            Token::Dot => {
                if *self.peek() == Token::Star {
                    self.advance();
                    return self.projection(ProjectionKind::Values, left);
                }
                let rhs = self.dot_rhs(bp)?;
                Ok(Ast::Sub(Box::new(left), Box::new(rhs)))
            }
            Token::Pipe => Ok(Ast::Sub(Box::new(left), Box::new(self.expression(bp)?))),
            Token::Or => Ok(Ast::Or(Box::new(left), Box::new(self.expression(bp)?))),
            Token::And => Ok(Ast::And(Box::new(left), Box::new(self.expression(bp)?))),
            Token::Cmp(c) => Ok(Ast::Cmp(c, Box::new(left), Box::new(self.expression(bp)?))),
            Token::Flatten => self.projection(ProjectionKind::Flatten, left),
            Token::Filter => self.filter(left),
            Token::LBracket => self.bracket(left),
            t => Err(format!("unexpected {t:?}")),
        }
    }

    /// After `[` (not `[]`/`[?`): `[n]` or `[*]`.
    fn bracket(&mut self, left: Ast) -> Result<Ast, String> {
        match self.advance() {
            Token::Number(n) => {
                self.expect(&Token::RBracket)?;
                Ok(Ast::Sub(Box::new(left), Box::new(Ast::Index(n))))
            }
            Token::Star => {
                self.expect(&Token::RBracket)?;
                self.projection(ProjectionKind::List, left)
            }
            t => Err(format!(
                "unsupported bracket expression starting with {t:?} (slices and multi-selects are not supported)"
            )),
        }
    }

    fn filter(&mut self, left: Ast) -> Result<Ast, String> {
        let cond = self.expression(0)?;
        self.expect(&Token::RBracket)?;
        self.projection(ProjectionKind::Filter(Box::new(cond)), left)
    }

    fn projection(&mut self, kind: ProjectionKind, lhs: Ast) -> Result<Ast, String> {
        let bp = match kind {
            ProjectionKind::Flatten => Token::Flatten.binding_power(),
            ProjectionKind::Filter(_) => Token::Filter.binding_power(),
            _ => Token::Star.binding_power(),
        };
        let rhs = self.projection_rhs(bp)?;
        Ok(Ast::Projection { kind, lhs: Box::new(lhs), rhs: Box::new(rhs) })
    }

    fn projection_rhs(&mut self, bp: u8) -> Result<Ast, String> {
        let next = self.peek().clone();
        if next.binding_power() < 10 {
            return Ok(Ast::Current);
        }
        match next {
            Token::LBracket | Token::Filter => self.expression(bp),
            Token::Dot => {
                self.advance();
                self.dot_rhs(bp)
            }
            t => Err(format!("unexpected {t:?} after a projection")),
        }
    }

    fn dot_rhs(&mut self, bp: u8) -> Result<Ast, String> {
        match self.peek() {
            Token::Ident(_) | Token::Quoted(_) | Token::Star => self.expression(bp),
            Token::LBracket => Err("multi-select lists are not supported".to_owned()),
            t => Err(format!("expected a name after `.`, found {t:?}")),
        }
    }
}

fn check_function(name: &str, args: usize) -> Result<(), String> {
    let want = match name {
        "length" | "keys" | "values" => 1,
        "contains" => 2,
        other => return Err(format!("unsupported function `{other}`")),
    };
    if args == want {
        Ok(())
    } else {
        Err(format!("`{name}` takes {want} argument(s), got {args}"))
    }
}

/// JMESPath truthiness.
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        Value::Number(_) => true,
    }
}

/// Evaluates `ast` against `data`.
pub fn evaluate(ast: &Ast, data: &Value) -> Value {
    match ast {
        Ast::Current => data.clone(),
        Ast::Field(name) => data.get(name).cloned().unwrap_or(Value::Null),
        Ast::Index(i) => match data {
            Value::Array(items) => {
                let n = items.len() as i64;
                let at = if *i < 0 { n + i } else { *i };
                usize::try_from(at).ok().and_then(|at| items.get(at)).cloned().unwrap_or(Value::Null)
            }
            _ => Value::Null,
        },
        Ast::Literal(v) => v.clone(),
        Ast::Sub(lhs, rhs) => match evaluate(lhs, data) {
            Value::Null => Value::Null,
            left => evaluate(rhs, &left),
        },
        Ast::Projection { kind, lhs, rhs } => project(kind, &evaluate(lhs, data), rhs),
        Ast::Cmp(c, a, b) => compare(*c, &evaluate(a, data), &evaluate(b, data)),
        Ast::And(a, b) => {
            let left = evaluate(a, data);
            if truthy(&left) {
                evaluate(b, data)
            } else {
                left
            }
        }
        Ast::Or(a, b) => {
            let left = evaluate(a, data);
            if truthy(&left) {
                left
            } else {
                evaluate(b, data)
            }
        }
        Ast::Not(a) => Value::Bool(!truthy(&evaluate(a, data))),
        Ast::Call(name, args) => {
            let args: Vec<Value> = args.iter().map(|a| evaluate(a, data)).collect();
            call(name, &args)
        }
    }
}

fn project(kind: &ProjectionKind, base: &Value, rhs: &Ast) -> Value {
    let elements: Vec<Value> = match (kind, base) {
        (ProjectionKind::List, Value::Array(items)) => items.clone(),
        (ProjectionKind::Flatten, Value::Array(items)) => items
            .iter()
            .flat_map(|v| match v {
                Value::Array(inner) => inner.clone(),
                other => vec![other.clone()],
            })
            .collect(),
        (ProjectionKind::Values, Value::Object(map)) => map.values().cloned().collect(),
        (ProjectionKind::Filter(cond), Value::Array(items)) => {
            items.iter().filter(|v| truthy(&evaluate(cond, v))).cloned().collect()
        }
        _ => return Value::Null,
    };
    Value::Array(elements.iter().map(|v| evaluate(rhs, v)).filter(|v| !v.is_null()).collect())
}

fn compare(c: Comparator, a: &Value, b: &Value) -> Value {
    match c {
        Comparator::Eq => Value::Bool(json_eq(a, b)),
        Comparator::Ne => Value::Bool(!json_eq(a, b)),
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => Value::Bool(match c {
                Comparator::Lt => x < y,
                Comparator::Le => x <= y,
                Comparator::Gt => x > y,
                _ => x >= y,
            }),
            _ => Value::Null,
        },
    }
}

/// Equality with numbers compared by value (`1 == 1.0`).
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn call(name: &str, args: &[Value]) -> Value {
    match (name, args) {
        ("length", [Value::String(s)]) => Value::from(s.chars().count()),
        ("length", [Value::Array(a)]) => Value::from(a.len()),
        ("length", [Value::Object(o)]) => Value::from(o.len()),
        ("contains", [Value::Array(a), needle]) => Value::Bool(a.iter().any(|v| json_eq(v, needle))),
        ("contains", [Value::String(s), Value::String(needle)]) => Value::Bool(s.contains(needle.as_str())),
        ("keys", [Value::Object(o)]) => Value::Array(o.keys().cloned().map(Value::String).collect()),
        ("values", [Value::Object(o)]) => Value::Array(o.values().cloned().collect()),
        // A wrong argument type is an error in JMESPath; a waiter treats it as "no match".
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval(expr: &str, data: &Value) -> Value {
        evaluate(&parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}")), data)
    }

    #[test]
    fn expressions_from_published_waiters() {
        let data = json!({
            "Table": {"TableStatus": "ACTIVE"},
            "Reservations": [
                {"Instances": [{"State": {"Name": "running"}}, {"State": {"Name": "pending"}}]},
                {"Instances": [{"State": {"Name": "running"}}]}
            ],
            "Functions": [{"State": "Active", "Name": "a"}, {"State": "Failed", "Name": "b"}],
            "Count": 2,
            "Empty": []
        });
        assert_eq!(eval("Table.TableStatus", &data), json!("ACTIVE"));
        assert_eq!(eval("Reservations[].Instances[].State.Name", &data), json!(["running", "pending", "running"]));
        assert_eq!(
            eval("Reservations[*].Instances[*].State.Name", &data),
            json!([["running", "pending"], ["running"]])
        );
        assert_eq!(eval("Functions[?State == 'Failed'].Name", &data), json!(["b"]));
        assert_eq!(eval("length(Functions[?State == 'Failed']) > `0`", &data), json!(true));
        assert_eq!(eval("length(Empty) == `0`", &data), json!(true));
        assert_eq!(eval("contains(Functions[].State, 'Active')", &data), json!(true));
        assert_eq!(eval("Count >= `2` && !(Table.TableStatus == 'DELETING')", &data), json!(true));
        assert_eq!(eval("Missing || Table.TableStatus", &data), json!("ACTIVE"));
        assert_eq!(eval("Functions[0].Name", &data), json!("a"));
        assert_eq!(eval("Functions[-1].Name", &data), json!("b"));
        assert_eq!(eval("Table.*", &data), json!(["ACTIVE"]));
        assert_eq!(eval("Functions[?State == 'Active'] | [0].Name", &data), json!("a"));
        assert_eq!(eval("\"Table\".\"TableStatus\"", &data), json!("ACTIVE"));
        assert_eq!(eval("Missing.Deeper[0]", &data), Value::Null);
        assert_eq!(eval("Count == `2.0`", &data), json!(true));
    }

    #[test]
    fn bad_expressions_are_errors_not_panics() {
        for bad in ["", "a.", "a[", "a[1:2]", "foo(a)", "length(a, b)", "'open", "a ==", "[a, b]", "a $ b", "`{`"] {
            assert!(parse(bad).is_err(), "{bad:?} parsed");
        }
    }
}
