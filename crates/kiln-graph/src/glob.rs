//! Unix-style wildcards as dbt uses them: Python's `fnmatch` for names, and a component-wise
//! variant for project paths (dbt globs paths with `pathlib`, where `*` stays inside one folder).

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Lit(char),
    AnyOne,
    AnyMany,
    Class { negate: bool, ranges: Vec<(char, char)> },
}

/// True when `pattern` contains any wildcard that fnmatch would interpret.
pub(crate) fn has_wildcard(pattern: &str) -> bool {
    pattern.contains(['*', '?', '[', ']'])
}

/// Python `fnmatch.fnmatchcase`: `*` any run (including none, and including `/` and `.`),
/// `?` one char, `[abc]`, `[a-z]`, `[!x]`. Case-sensitive, like fnmatch on POSIX.
pub(crate) fn fnmatch(text: &str, pattern: &str) -> bool {
    let tokens = tokenize(pattern);
    let text: Vec<char> = text.chars().collect();
    matches_tokens(&text, &tokens)
}

fn tokenize(pattern: &str) -> Vec<Token> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' => {
                // Consecutive stars mean the same as one and would only slow backtracking.
                if out.last() != Some(&Token::AnyMany) {
                    out.push(Token::AnyMany);
                }
                i += 1;
            }
            '?' => {
                out.push(Token::AnyOne);
                i += 1;
            }
            '[' => match parse_class(&chars, i) {
                Some((token, next)) => {
                    out.push(token);
                    i = next;
                }
                None => {
                    // An unterminated `[` is a literal, as in Python.
                    out.push(Token::Lit('['));
                    i += 1;
                }
            },
            c => {
                out.push(Token::Lit(c));
                i += 1;
            }
        }
    }
    out
}

/// Parses a `[...]` class starting at `start`; returns the token and the index after `]`.
fn parse_class(chars: &[char], start: usize) -> Option<(Token, usize)> {
    let mut j = start + 1;
    let mut negate = false;
    if chars.get(j) == Some(&'!') {
        negate = true;
        j += 1;
    }
    // A `]` right after `[` or `[!` is a member, not the end.
    let body_start = j;
    if chars.get(j) == Some(&']') {
        j += 1;
    }
    while j < chars.len() && chars[j] != ']' {
        j += 1;
    }
    if j >= chars.len() {
        return None;
    }
    let body = &chars[body_start..j];
    let mut ranges = Vec::new();
    let mut k = 0;
    while k < body.len() {
        if k + 2 < body.len() && body[k + 1] == '-' {
            ranges.push((body[k], body[k + 2]));
            k += 3;
        } else {
            ranges.push((body[k], body[k]));
            k += 1;
        }
    }
    Some((Token::Class { negate, ranges }, j + 1))
}

fn token_matches_char(token: &Token, c: char) -> bool {
    match token {
        Token::Lit(l) => *l == c,
        Token::AnyOne => true,
        Token::AnyMany => false,
        Token::Class { negate, ranges } => {
            let hit = ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi);
            hit != *negate
        }
    }
}

/// Classic greedy matcher with single-star backtracking: linear for patterns with one `*`,
/// and never exponential because only the most recent star is retried.
fn matches_tokens(text: &[char], tokens: &[Token]) -> bool {
    let (mut t, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < tokens.len() && tokens[p] == Token::AnyMany {
            star = Some((p, t));
            p += 1;
        } else if p < tokens.len() && token_matches_char(&tokens[p], text[t]) {
            t += 1;
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    tokens[p..].iter().all(|tok| *tok == Token::AnyMany)
}

/// Normalises a user-typed project path: backslashes to `/`, no `./` prefix, no empty or `.`
/// components, no trailing slash.
pub(crate) fn normalize_path(raw: &str) -> String {
    raw.replace('\\', "/")
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// dbt's `path:` method: the node's file, or any folder containing it, matches the glob.
/// Components are matched one by one (`*` never crosses `/`); `**` spans any number of folders.
pub(crate) fn path_selects(node_path: &str, pattern: &str) -> bool {
    let pat: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
    if pat.is_empty() {
        return false;
    }
    let comps: Vec<&str> = node_path.split('/').filter(|c| !c.is_empty()).collect();
    (1..=comps.len()).any(|len| components_match(&comps[..len], &pat))
}

fn components_match(comps: &[&str], pat: &[&str]) -> bool {
    match pat.split_first() {
        None => comps.is_empty(),
        Some((&"**", rest)) => (0..=comps.len()).any(|skip| components_match(&comps[skip..], rest)),
        Some((first, rest)) => match comps.split_first() {
            Some((c, crest)) => fnmatch(c, first) && components_match(crest, rest),
            None => false,
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn fnmatch_follows_python_semantics() {
        let cases = [
            ("stg_sales", "stg_*", true),
            ("stg_sales", "*_sales", true),
            ("stg_sales", "stg_?ales", true),
            ("stg_sales", "stg_[rs]ales", true),
            ("stg_sales", "stg_[!s]ales", false),
            ("stg_sales", "stg_[a-r]ales", false),
            ("a.b.c", "a.*", true),
            ("a/b", "*", true),
            ("", "*", true),
            ("", "?", false),
            ("abc", "abc", true),
            ("abc", "ab", false),
            ("[x", "[x", true),
            ("]", "[]]", true),
            ("aaa", "a*a*a", true),
            ("aa", "a*a*a", false),
        ];
        for (text, pat, want) in cases {
            assert_eq!(fnmatch(text, pat), want, "fnmatch({text:?}, {pat:?})");
        }
    }

    #[test]
    fn path_selection_matches_files_and_folders() {
        let p = "models/staging/tickit/stg_sales.sql";
        assert!(path_selects(p, "models"));
        assert!(path_selects(p, "models/staging"));
        assert!(path_selects(p, "models/staging/tickit/stg_sales.sql"));
        assert!(path_selects(p, "models/*/tickit"));
        assert!(path_selects(p, "models/**/stg_*.sql"));
        assert!(path_selects(p, "**/stg_sales.sql"));
        assert!(!path_selects(p, "models/stag"));
        assert!(!path_selects(p, "models/*.sql"));
        assert!(!path_selects(p, "staging"));
        assert_eq!(normalize_path("./models\\staging//"), "models/staging");
    }
}
