//! Credentials written into SQL (Redshift's `COPY … CREDENTIALS '…'`, `ACCESS_KEY_ID '…'`,
//! `SECRET_ACCESS_KEY '…'`, `SESSION_TOKEN '…'`) masked before the text is kept or shown.

use sqlparser::tokenizer::Token;

use crate::lexer::lex;

/// The keywords whose string argument is a secret.
const SECRET_KEYWORDS: &[&str] = &[
    "CREDENTIALS",
    "ACCESS_KEY_ID",
    "SECRET_ACCESS_KEY",
    "SESSION_TOKEN",
    "MASTER_SYMMETRIC_KEY",
];

/// `sql` with the string after each secret-bearing keyword replaced by `'***'`; everything else
/// byte for byte. Text the tokenizer cannot read past is masked from that point on.
pub fn redact_credentials(sql: &str) -> String {
    let upper = sql.to_ascii_uppercase();
    if !SECRET_KEYWORDS.iter().any(|k| upper.contains(k)) {
        return sql.to_string();
    }
    let lexed = lex(sql);
    let mut out = String::with_capacity(sql.len());
    let mut at = 0;
    let mut armed = false;
    for tok in &lexed.toks {
        if tok.is_trivia() {
            continue;
        }
        if armed {
            if matches!(tok.token, Token::SingleQuotedString(_)) {
                out.push_str(&sql[at..tok.start]);
                out.push_str("'***'");
                at = tok.end();
            }
            // `CREDENTIALS AS '…'` is Redshift's older form.
            armed = tok.is_word("AS");
            continue;
        }
        armed = tok.is_word_in(SECRET_KEYWORDS);
    }
    let rest = &sql[at..];
    match &lexed.error {
        Some(_) if armed || lexed.consumed() < sql.len() && at <= lexed.consumed() => {
            let read = lexed.consumed().max(at);
            out.push_str(&sql[at..read]);
            if read < sql.len() {
                out.push_str("***");
            }
        }
        _ => out.push_str(rest),
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_and_nothing_else_changes() {
        let sql = "COPY t FROM 's3://b/k' CREDENTIALS 'aws_access_key_id=AKIA;aws_secret_access_key=wJal' CSV;";
        assert_eq!(redact_credentials(sql), "COPY t FROM 's3://b/k' CREDENTIALS '***' CSV;");
        let keys =
            "copy t from 's3://b' access_key_id 'AKIA' secret_access_key 'wJal' session_token 'tok' iam_role default";
        assert_eq!(
            redact_credentials(keys),
            "copy t from 's3://b' access_key_id '***' secret_access_key '***' session_token '***' iam_role default"
        );
        assert_eq!(
            redact_credentials("COPY t FROM 'x' CREDENTIALS AS 'k'"),
            "COPY t FROM 'x' CREDENTIALS AS '***'"
        );
        let plain = "SELECT 'credentials' AS c -- CREDENTIALS 'not a statement'";
        assert_eq!(redact_credentials(plain), plain);
        // An unterminated secret is masked to the end.
        assert_eq!(
            redact_credentials("COPY t CREDENTIALS 'aws_secret"),
            "COPY t CREDENTIALS ***"
        );
    }
}
