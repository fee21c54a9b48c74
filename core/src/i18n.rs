//! Bilingual text: every user-facing string exists in zh-CN and en.

use serde::{Deserialize, Serialize};

/// A UI language. zh-CN is the default.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize)]
pub enum Locale {
    /// Simplified Chinese (mainland China).
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    /// English.
    #[serde(rename = "en")]
    En,
}

/// A label or message given in both supported languages.
///
/// ```
/// use dealflow_core::{Locale, LocalizedText};
/// let label = LocalizedText::new("方案演示", "Solution demo");
/// assert_eq!(label.get(Locale::ZhCn), "方案演示");
/// assert_eq!(label.get(Locale::En), "Solution demo");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize)]
pub struct LocalizedText {
    /// Simplified Chinese.
    #[serde(rename = "zh-CN")]
    pub zh_cn: String,
    /// English.
    pub en: String,
}

impl LocalizedText {
    /// A text from its Chinese and English forms.
    pub fn new(zh_cn: impl Into<String>, en: impl Into<String>) -> Self {
        LocalizedText {
            zh_cn: zh_cn.into(),
            en: en.into(),
        }
    }

    /// The text in `locale`.
    pub fn get(&self, locale: Locale) -> &str {
        match locale {
            Locale::ZhCn => &self.zh_cn,
            Locale::En => &self.en,
        }
    }

    /// Whether either language is missing.
    pub fn is_incomplete(&self) -> bool {
        self.zh_cn.trim().is_empty() || self.en.trim().is_empty()
    }
}

/// Something that can explain itself to a user in either language (errors, reasons, advice).
pub trait Localized {
    /// The message in `locale`.
    fn localized(&self, locale: Locale) -> String;

    /// The message in both languages.
    fn localized_text(&self) -> LocalizedText {
        LocalizedText {
            zh_cn: self.localized(Locale::ZhCn),
            en: self.localized(Locale::En),
        }
    }
}
