//! Finds the stream relations (`<external schema>.<stream>`) a view's SQL reads, on the SQL
//! tokenizer's output so names inside strings and comments never count.

use sqlparser::dialect::RedshiftSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

/// `(schema, name)` of every two-part name whose schema is one of `schemas` (compared without
/// case, as Redshift folds unquoted names), in order of appearance, without repeats.
pub fn relations_in(sql: &str, schemas: &[String]) -> Vec<(String, String)> {
    two_part_names(sql)
        .into_iter()
        .filter(|(schema, _)| schemas.iter().any(|s| s.eq_ignore_ascii_case(schema)))
        .collect()
}

/// `(schema, name)` of every two-part name in `sql`, unquoted names folded to lower case as
/// Redshift does, in order of appearance, without repeats.
pub fn two_part_names(sql: &str) -> Vec<(String, String)> {
    let Ok(tokens) = Tokenizer::new(&RedshiftSqlDialect {}, sql).tokenize() else {
        return Vec::new();
    };
    let words: Vec<&Token> = tokens.iter().filter(|t| !matches!(t, Token::Whitespace(_))).collect();
    let folded = |word: &sqlparser::tokenizer::Word| match word.quote_style {
        Some(_) => word.value.clone(),
        None => word.value.to_lowercase(),
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for w in words.windows(3) {
        let (Token::Word(schema), Token::Period, Token::Word(name)) = (w[0], w[1], w[2]) else {
            continue;
        };
        let pair = (folded(schema), folded(name));
        if !out.contains(&pair) {
            out.push(pair);
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn finds_stream_relations_but_not_strings_comments_or_other_schemas() {
        let sql = r#"SELECT ApproximateArrivalTimestamp, 'kinesis_schema.fake' AS s -- kinesis_schema.nope
            FROM Kinesis_Schema.Order_Stream os JOIN kds."My-Stream" m ON true JOIN public.t ON true"#;
        let schemas = vec!["kinesis_schema".to_string(), "kds".to_string()];
        assert_eq!(
            relations_in(sql, &schemas),
            [
                ("kinesis_schema".to_string(), "order_stream".to_string()),
                ("kds".to_string(), "My-Stream".to_string())
            ]
        );
    }
}
