//! Lead fields and the CSV header names (zh-CN and en) that map to them.

use serde::{Deserialize, Serialize};

use crate::i18n::{Locale, Localized, LocalizedText};
use crate::lead::normalize::{fold_width, normalize_label};

/// A field of a lead that an import column can fill.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadField {
    /// 联系人 (required).
    ContactName,
    /// 公司 (required).
    Company,
    /// 电话: phone or email is required.
    Phone,
    /// 邮箱: phone or email is required.
    Email,
    /// 地区.
    Region,
    /// 行业.
    Industry,
    /// 意向产品.
    ProductInterest,
    /// 来源渠道.
    Source,
    /// 市场活动.
    Campaign,
    /// 备注.
    Notes,
}

impl LeadField {
    /// Every field, in display order.
    pub const ALL: [LeadField; 10] = [
        LeadField::ContactName,
        LeadField::Company,
        LeadField::Phone,
        LeadField::Email,
        LeadField::Region,
        LeadField::Industry,
        LeadField::ProductInterest,
        LeadField::Source,
        LeadField::Campaign,
        LeadField::Notes,
    ];

    /// The column label in both languages, as a template header would show it.
    pub fn label(self) -> LocalizedText {
        match self {
            LeadField::ContactName => LocalizedText::new("联系人", "Contact name"),
            LeadField::Company => LocalizedText::new("公司名称", "Company"),
            LeadField::Phone => LocalizedText::new("电话", "Phone"),
            LeadField::Email => LocalizedText::new("邮箱", "Email"),
            LeadField::Region => LocalizedText::new("地区", "Region"),
            LeadField::Industry => LocalizedText::new("行业", "Industry"),
            LeadField::ProductInterest => LocalizedText::new("意向产品", "Product interest"),
            LeadField::Source => LocalizedText::new("来源渠道", "Source"),
            LeadField::Campaign => LocalizedText::new("市场活动", "Campaign"),
            LeadField::Notes => LocalizedText::new("备注", "Notes"),
        }
    }

    /// The longest value accepted, in characters.
    pub fn max_chars(self) -> usize {
        match self {
            LeadField::Notes => 5_000,
            LeadField::Email => 254,
            LeadField::Company => 200,
            LeadField::Phone => 40,
            LeadField::ContactName
            | LeadField::Region
            | LeadField::Industry
            | LeadField::ProductInterest
            | LeadField::Source
            | LeadField::Campaign => 100,
        }
    }

    /// Header spellings recognised for this field (compared with [`header_key`]).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            LeadField::ContactName => &[
                "联系人",
                "联系人姓名",
                "姓名",
                "客户姓名",
                "名字",
                "contact",
                "contact name",
                "name",
                "full name",
            ],
            LeadField::Company => &[
                "公司",
                "公司名称",
                "公司名",
                "企业名称",
                "单位",
                "单位名称",
                "客户名称",
                "company",
                "company name",
                "organization",
                "organisation",
                "account",
            ],
            LeadField::Phone => &[
                "电话",
                "手机",
                "手机号",
                "手机号码",
                "联系电话",
                "电话号码",
                "联系方式",
                "phone",
                "mobile",
                "telephone",
                "tel",
                "phone number",
                "mobile phone",
            ],
            LeadField::Email => &[
                "邮箱",
                "电子邮箱",
                "电子邮件",
                "邮件",
                "邮箱地址",
                "email",
                "e-mail",
                "mail",
                "email address",
            ],
            LeadField::Region => &[
                "地区",
                "区域",
                "省份",
                "所在地区",
                "region",
                "area",
                "province",
            ],
            LeadField::Industry => &["行业", "所属行业", "industry", "sector"],
            LeadField::ProductInterest => &[
                "意向产品",
                "感兴趣的产品",
                "产品",
                "产品线",
                "product",
                "product interest",
                "interested product",
                "product line",
            ],
            LeadField::Source => &[
                "来源",
                "线索来源",
                "来源渠道",
                "渠道",
                "source",
                "lead source",
                "channel",
            ],
            LeadField::Campaign => &[
                "活动",
                "市场活动",
                "营销活动",
                "活动名称",
                "campaign",
                "campaign name",
            ],
            LeadField::Notes => &[
                "备注", "说明", "描述", "notes", "note", "remarks", "comments", "comment",
            ],
        }
    }

    /// The field a CSV header names, ignoring case, spacing, full-width forms, a required-marker
    /// `*` and anything in brackets (`手机号码（必填）`, `Phone (mobile)`).
    pub fn from_header(header: &str) -> Option<LeadField> {
        let key = header_key(header);
        if key.is_empty() {
            return None;
        }
        LeadField::ALL
            .into_iter()
            .find(|field| field.aliases().iter().any(|alias| header_key(alias) == key))
    }
}

impl Localized for LeadField {
    fn localized(&self, locale: Locale) -> String {
        self.label().get(locale).to_owned()
    }
}

/// A header with bracketed remarks and `*` removed, then compared like a label.
fn header_key(header: &str) -> String {
    let folded = fold_width(header);
    let mut kept = String::with_capacity(folded.len());
    let mut depth = 0_u32;
    for character in folded.chars() {
        match character {
            '(' | '[' | '【' => depth += 1,
            ')' | ']' | '】' => depth = depth.saturating_sub(1),
            '*' | ':' => {}
            _ if depth == 0 => kept.push(character),
            _ => {}
        }
    }
    normalize_label(&kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_in_both_languages() {
        assert_eq!(
            LeadField::from_header("联系人"),
            Some(LeadField::ContactName)
        );
        assert_eq!(
            LeadField::from_header("Contact Name"),
            Some(LeadField::ContactName)
        );
        assert_eq!(
            LeadField::from_header("手机号码（必填）"),
            Some(LeadField::Phone)
        );
        assert_eq!(
            LeadField::from_header("*公司名称"),
            Some(LeadField::Company)
        );
        assert_eq!(LeadField::from_header("E-Mail"), Some(LeadField::Email));
        assert_eq!(LeadField::from_header("Ｅｍａｉｌ"), Some(LeadField::Email));
        assert_eq!(
            LeadField::from_header("Lead_Source"),
            Some(LeadField::Source)
        );
        assert_eq!(LeadField::from_header("微信号"), None);
        assert_eq!(LeadField::from_header(""), None);
    }

    #[test]
    fn aliases_are_unambiguous() {
        let mut seen = std::collections::BTreeMap::new();
        for field in LeadField::ALL {
            for alias in field.aliases() {
                let previous = seen.insert(header_key(alias), field);
                assert!(previous.is_none() || previous == Some(field), "{alias}");
            }
        }
    }
}
