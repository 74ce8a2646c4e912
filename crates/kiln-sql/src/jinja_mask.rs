//! A model's SQL with its Jinja blanked out so that a SQL parser can read it, *keeping every
//! character where it was*: a parse position in the masked text is the same line and column in
//! the file the user edits, so a finding can be underlined without mapping back through a render.
//!
//! `{{ ref('x') }}` and `{{ source('s', 't') }}` become identifiers that name the relation they
//! stand for ([`Masked::upstream_of`]); `{{ config(…) }}`, `{% … %}` and `{# … #}` become blanks
//! (they render to nothing that matters to the query's shape); any other `{{ … }}` becomes an
//! identifier, as it most often stands for a value or a name.

/// A relation a model reads through Jinja.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Upstream {
    Ref { package: Option<String>, name: String },
    Source { source: String, table: String },
}

impl std::fmt::Display for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Upstream::Ref { package: Some(p), name } => write!(f, "ref('{p}', '{name}')"),
            Upstream::Ref { package: None, name } => write!(f, "ref('{name}')"),
            Upstream::Source { source, table } => write!(f, "source('{source}', '{table}')"),
        }
    }
}

pub struct Masked {
    pub text: String,
    upstreams: Vec<Upstream>,
}

const STAND_IN: &str = "kiln_up_";
const VALUE: &str = "kiln_jinja";

impl Masked {
    /// The relation an identifier of the masked text stands for, if it is a stand-in.
    pub fn upstream_of(&self, identifier: &str) -> Option<&Upstream> {
        let index: usize = identifier.strip_prefix(STAND_IN)?.parse().ok()?;
        self.upstreams.get(index)
    }
}

/// The quoted string arguments of `name(…)` in a Jinja expression, or `None` when the call is
/// something else (another function, a variable argument).
fn string_call<'a>(expression: &'a str, name: &str) -> Option<Vec<&'a str>> {
    let rest = expression.trim().strip_prefix(name)?.trim_start();
    let inner = rest.strip_prefix('(')?.strip_suffix(')')?;
    inner
        .split(',')
        .map(|argument| {
            let argument = argument.trim();
            let quote = argument.chars().next().filter(|c| *c == '\'' || *c == '"')?;
            argument.strip_prefix(quote)?.strip_suffix(quote)
        })
        .collect()
}

fn upstream_of_expression(expression: &str) -> Option<Upstream> {
    if let Some(arguments) = string_call(expression, "ref") {
        return match arguments.as_slice() {
            [name] => Some(Upstream::Ref {
                package: None,
                name: (*name).to_string(),
            }),
            [package, name] => Some(Upstream::Ref {
                package: Some((*package).to_string()),
                name: (*name).to_string(),
            }),
            _ => None,
        };
    }
    match string_call(expression, "source")?.as_slice() {
        [source, table] => Some(Upstream::Source {
            source: (*source).to_string(),
            table: (*table).to_string(),
        }),
        _ => None,
    }
}

/// Writes `tag` as blanks (newlines kept), starting with `word` when it fits.
fn blank(out: &mut String, tag: &str, word: &str) {
    let width = tag.chars().count();
    let word = if word.chars().count() <= width { word } else { "" };
    out.push_str(word);
    for c in tag.chars().skip(word.chars().count()) {
        out.push(if c == '\n' { '\n' } else { ' ' });
    }
}

pub fn mask_jinja(sql: &str) -> Masked {
    let mut out = String::with_capacity(sql.len());
    let mut upstreams = Vec::new();
    let mut rest = sql;
    while let Some(at) = rest.find('{') {
        let close = match rest[at..].get(..2) {
            Some("{{") => "}}",
            Some("{%") => "%}",
            Some("{#") => "#}",
            _ => {
                out.push_str(&rest[..=at]);
                rest = &rest[at + 1..];
                continue;
            }
        };
        let Some(end) = rest[at + 2..].find(close) else {
            break;
        };
        out.push_str(&rest[..at]);
        let tag = &rest[at..at + 2 + end + 2];
        let inner = tag[2..tag.len() - 2].trim_matches('-').trim();
        if close == "}}" {
            if let Some(upstream) = upstream_of_expression(inner) {
                let word = format!("{STAND_IN}{}", upstreams.len());
                upstreams.push(upstream);
                blank(&mut out, tag, &word);
            } else if inner.starts_with("config(") || inner.starts_with("config (") {
                blank(&mut out, tag, "");
            } else if tag.chars().count() >= VALUE.len() {
                blank(&mut out, tag, VALUE);
            } else {
                // `{{ n }}` is shorter than the stand-in, and a blank would leave a hole in the SQL.
                blank(&mut out, tag, "kj");
            }
        } else {
            blank(&mut out, tag, "");
        }
        rest = &rest[at + 2 + end + 2..];
    }
    out.push_str(rest);
    Masked { text: out, upstreams }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_every_line_and_column() {
        let sql = "{{ config(materialized='table') }}\nselect c.x -- {# note #}\nfrom {{ ref('stg_a') }} c\n{% if true %}\nwhere {{ var('n') }} > 1\n{% endif %}";
        let masked = mask_jinja(sql);
        assert_eq!(masked.text.lines().count(), sql.lines().count());
        for (masked, original) in masked.text.lines().zip(sql.lines()) {
            assert_eq!(masked.chars().count(), original.chars().count(), "{original}");
        }
        assert!(masked.text.starts_with(&" ".repeat(34)));
        assert!(masked.text.contains("from kiln_up_0"));
        assert!(masked.text.contains("where kiln_jinja"));
        assert_eq!(
            masked.upstream_of("kiln_up_0"),
            Some(&Upstream::Ref {
                package: None,
                name: "stg_a".into()
            })
        );
        assert_eq!(masked.upstream_of("kiln_up_1"), None);
    }

    #[test]
    fn reads_sources_and_package_refs() {
        let masked =
            mask_jinja("select * from {{ source(\"tickit\", 'sales') }} join {{- ref('pkg', 'm') -}} using (id)");
        assert_eq!(
            masked.upstream_of("kiln_up_0").map(ToString::to_string),
            Some("source('tickit', 'sales')".to_string())
        );
        assert_eq!(
            masked.upstream_of("kiln_up_1").map(ToString::to_string),
            Some("ref('pkg', 'm')".to_string())
        );
    }
}
