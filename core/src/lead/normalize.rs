//! Normalised forms of phones, emails, company names and labels: what duplicate detection
//! compares and what validation accepts.
//!
//! Chinese data arrives with full-width characters (`１３８`, `＠`, `（`), country prefixes
//! (`+86`, `0086`), separators, extensions (`转801`) and legal-form suffixes (`有限公司`,
//! `Co., Ltd.`). Two spellings of the same phone, email or company normalise to the same key.

/// The duplicate-detection key of a phone number, or `None` if it is not a plausible number.
///
/// Accepted: mainland mobiles (11 digits starting 13–19), landlines with their area code
/// (`010-12345678`), 400/800 service numbers, and international numbers written with `+` or
/// `00` (8–15 digits). `+86`/`0086`/`86` prefixes are dropped, as are separators and an
/// extension after `转`, `ext` or `#`.
///
/// ```
/// use dealflow_core::normalize_phone;
/// assert_eq!(normalize_phone("+86 138-0013-8000").as_deref(), Some("13800138000"));
/// assert_eq!(normalize_phone("１３８００１３８０００").as_deref(), Some("13800138000"));
/// assert_eq!(normalize_phone("(010) 6552 9988 转 801").as_deref(), Some("01065529988"));
/// assert_eq!(normalize_phone("+1 415 555 0100").as_deref(), Some("+14155550100"));
/// assert_eq!(normalize_phone("12345"), None);
/// assert_eq!(normalize_phone("138-0013-800O"), None); // a letter O
/// ```
pub fn normalize_phone(raw: &str) -> Option<String> {
    let folded = fold_width(raw).to_lowercase();
    let number = strip_extension(&folded);
    let mut digits = String::with_capacity(number.len());
    let mut international = false;
    for (position, character) in number.trim().chars().enumerate() {
        match character {
            '0'..='9' => digits.push(character),
            '+' if position == 0 => international = true,
            ' ' | '-' | '(' | ')' | '.' | '/' => {}
            _ => return None,
        }
    }
    if !international && let Some(rest) = digits.strip_prefix("00") {
        digits = rest.to_owned();
        international = true;
    }
    if international {
        match digits.strip_prefix("86") {
            Some(national) => digits = national.to_owned(),
            None => {
                return (8..=15)
                    .contains(&digits.len())
                    .then(|| format!("+{digits}"));
            }
        }
    } else if digits.len() == 13
        && let Some(national) = digits.strip_prefix("86")
        && is_mobile(national)
    {
        digits = national.to_owned();
    }
    // A national number written after +86 may keep its trunk zero or drop it.
    if international && !digits.starts_with('0') && !is_mobile(&digits) && !is_service(&digits) {
        digits.insert(0, '0');
    }
    (is_mobile(&digits) || is_landline(&digits) || is_service(&digits)).then_some(digits)
}

fn strip_extension(number: &str) -> &str {
    ["转", "ext", "#", "x"]
        .iter()
        .filter_map(|marker| number.find(marker))
        .min()
        .map_or(number, |cut| number.get(..cut).unwrap_or(number))
}

fn is_mobile(digits: &str) -> bool {
    let bytes = digits.as_bytes();
    bytes.len() == 11 && bytes.first() == Some(&b'1') && matches!(bytes.get(1), Some(b'3'..=b'9'))
}

fn is_landline(digits: &str) -> bool {
    // Area code with trunk zero (3–4 digits) plus a 7–8 digit local number.
    digits.starts_with('0') && !digits.starts_with("00") && (10..=12).contains(&digits.len())
}

fn is_service(digits: &str) -> bool {
    digits.len() == 10 && (digits.starts_with("400") || digits.starts_with("800"))
}

/// The normalised email (trimmed, lowercase, half-width), or `None` if it is not a plausible
/// address.
///
/// ```
/// use dealflow_core::normalize_email;
/// assert_eq!(normalize_email(" Li.Lei@Example.COM ").as_deref(), Some("li.lei@example.com"));
/// assert_eq!(normalize_email("li＠example．com").as_deref(), Some("li@example.com"));
/// assert_eq!(normalize_email("li@localhost"), None);
/// assert_eq!(normalize_email("li lei@example.com"), None);
/// ```
pub fn normalize_email(raw: &str) -> Option<String> {
    let email = fold_width(raw).trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    (local_ok && domain_ok).then_some(email)
}

/// Legal-form words dropped from the end of English company names.
const ENGLISH_SUFFIXES: &[&str] = &[
    "co",
    "company",
    "corp",
    "corporation",
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llc",
    "llp",
    "lp",
    "plc",
    "pte",
    "pty",
    "gmbh",
    "ag",
    "sa",
];

/// Legal-form endings dropped from Chinese company names, longest first.
const CHINESE_SUFFIXES: &[&str] = &["股份有限公司", "有限责任公司", "有限公司", "公司"];

/// The duplicate-detection key of a company name: case, whitespace, punctuation and full-width
/// forms ignored, legal-form suffixes (有限公司, Co., Ltd., Inc., …) dropped. `None` when nothing
/// distinctive is left.
///
/// ```
/// use dealflow_core::normalize_company;
/// let key = normalize_company("上海示例科技有限公司");
/// assert_eq!(key, normalize_company(" 上海示例科技 "));
/// assert_eq!(normalize_company("ACME Co., Ltd."), normalize_company("acme"));
/// assert_eq!(normalize_company("Ａｃｍｅ Company Limited"), normalize_company("Acme Inc."));
/// assert_ne!(normalize_company("Cisco"), normalize_company("Cis"));
/// assert_eq!(normalize_company("有限公司"), None);
/// ```
pub fn normalize_company(raw: &str) -> Option<String> {
    let folded = fold_width(raw).to_lowercase();
    let mut tokens: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|token| !token.is_empty())
        .collect();
    // Drop trailing legal-form words, but never the only word left ("Co" stays "co").
    while tokens.len() > 1
        && tokens
            .last()
            .is_some_and(|last| ENGLISH_SUFFIXES.contains(last))
    {
        tokens.pop();
    }
    let mut key: String = tokens.concat();
    while let Some(stem_len) = CHINESE_SUFFIXES
        .iter()
        .find_map(|suffix| key.strip_suffix(suffix).map(str::len))
    {
        key.truncate(stem_len);
    }
    (!key.is_empty()).then_some(key)
}

/// A label compared loosely: half-width, lowercase, without spaces, underscores or hyphens. Used
/// for regions, industries, product lines, channel names and CSV headers.
///
/// ```
/// use dealflow_core::normalize_label;
/// assert_eq!(normalize_label(" Trade_Show "), normalize_label("trade show"));
/// assert_eq!(normalize_label("ＣＲＭ－Ｐｒｏ"), "crmpro");
/// ```
pub fn normalize_label(raw: &str) -> String {
    fold_width(raw)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Full-width ASCII forms (U+FF01–U+FF5E) and the ideographic space folded to ASCII.
pub(crate) fn fold_width(raw: &str) -> String {
    raw.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            '\u{3002}' => '.',
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_variants_share_a_key() {
        let key = Some("13800138000".to_owned());
        for spelling in [
            "13800138000",
            "138 0013 8000",
            "+8613800138000",
            "0086-138-0013-8000",
            "8613800138000",
            "＋８６　１３８００１３８０００",
        ] {
            assert_eq!(normalize_phone(spelling), key, "{spelling}");
        }
        assert_eq!(
            normalize_phone("+86 10 6552 9988").as_deref(),
            Some("01065529988")
        );
        assert_eq!(
            normalize_phone("400-800-1234").as_deref(),
            Some("4008001234")
        );
        assert_eq!(normalize_phone("6552 9988"), None); // no area code
        assert_eq!(normalize_phone("12800138000"), None);
        assert_eq!(normalize_phone(""), None);
        assert_eq!(normalize_phone("+1 23"), None);
    }

    #[test]
    fn email_rules() {
        assert_eq!(normalize_email("a@b.c").as_deref(), Some("a@b.c"));
        assert_eq!(normalize_email("a@@b.c"), None);
        assert_eq!(normalize_email("a@b..c"), None);
        assert_eq!(normalize_email(".a@b.c"), None);
        assert_eq!(normalize_email("a@-b.c"), None);
        assert_eq!(
            normalize_email("张@例子.中国").as_deref(),
            Some("张@例子.中国")
        );
    }

    #[test]
    fn company_suffixes() {
        assert_eq!(
            normalize_company("北京示例（中国）股份有限公司").as_deref(),
            Some("北京示例中国")
        );
        assert_eq!(
            normalize_company("Example Pte. Ltd.").as_deref(),
            Some("example")
        );
        assert_eq!(normalize_company("Co").as_deref(), Some("co"));
        assert_eq!(normalize_company("  "), None);
    }
}
