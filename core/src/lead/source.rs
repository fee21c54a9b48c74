//! Lead source channels (来源渠道): configurable, with bilingual labels and import aliases.

use serde::{Deserialize, Serialize};

use crate::i18n::LocalizedText;
use crate::id::ChannelId;
use crate::lead::normalize::normalize_label;

/// One source channel.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SourceChannel {
    /// Identifier, e.g. `trade_show`.
    pub id: ChannelId,
    /// Display label.
    pub label: LocalizedText,
    /// Further spellings accepted in imports, e.g. "展会" or "expo".
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// The organisation's source channels. Conversion reports group by these ids.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SourceChannels {
    /// The channels, in display order.
    pub channels: Vec<SourceChannel>,
}

impl SourceChannels {
    /// The six standard channels: web form, phone inquiry, trade show, social media, referral and
    /// marketing campaign.
    pub fn standard() -> SourceChannels {
        let channel = |id: &str, zh_cn: &str, en: &str, aliases: &[&str]| SourceChannel {
            id: ChannelId::new(id).expect("standard channel ids are valid"),
            label: LocalizedText::new(zh_cn, en),
            aliases: aliases.iter().map(|alias| (*alias).to_owned()).collect(),
        };
        SourceChannels {
            channels: vec![
                channel(
                    "web_form",
                    "官网表单",
                    "Web form",
                    &["官网", "网站", "表单", "website", "web"],
                ),
                channel(
                    "phone_inquiry",
                    "电话咨询",
                    "Phone inquiry",
                    &["来电", "电话", "400电话", "phone", "call"],
                ),
                channel(
                    "trade_show",
                    "展会",
                    "Trade show",
                    &["展会活动", "会展", "expo", "exhibition", "tradeshow"],
                ),
                channel(
                    "social_media",
                    "社交媒体",
                    "Social media",
                    &[
                        "微信",
                        "公众号",
                        "微博",
                        "抖音",
                        "小红书",
                        "wechat",
                        "social",
                    ],
                ),
                channel(
                    "referral",
                    "客户推荐",
                    "Referral",
                    &["推荐", "转介绍", "介绍"],
                ),
                channel(
                    "marketing_campaign",
                    "市场活动",
                    "Marketing campaign",
                    &["营销活动", "活动", "campaign", "marketing"],
                ),
            ],
        }
    }

    /// The channel with `id`.
    pub fn get(&self, id: &ChannelId) -> Option<&SourceChannel> {
        self.channels.iter().find(|channel| &channel.id == id)
    }

    /// The channel a free-text value names: its id, either label or an alias, compared ignoring
    /// case, spaces and full-width forms.
    pub fn resolve(&self, value: &str) -> Option<&ChannelId> {
        let wanted = normalize_label(value);
        if wanted.is_empty() {
            return None;
        }
        self.channels
            .iter()
            .find(|channel| {
                normalize_label(channel.id.as_str()) == wanted
                    || normalize_label(&channel.label.zh_cn) == wanted
                    || normalize_label(&channel.label.en) == wanted
                    || channel
                        .aliases
                        .iter()
                        .any(|alias| normalize_label(alias) == wanted)
            })
            .map(|channel| &channel.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_ids_labels_and_aliases() {
        let channels = SourceChannels::standard();
        let trade_show = ChannelId::new("trade_show").unwrap();
        assert_eq!(channels.resolve("展会"), Some(&trade_show));
        assert_eq!(channels.resolve(" Trade Show "), Some(&trade_show));
        assert_eq!(channels.resolve("ＥＸＰＯ"), Some(&trade_show));
        assert_eq!(channels.resolve("trade_show"), Some(&trade_show));
        assert_eq!(channels.resolve("飞鸽传书"), None);
        assert_eq!(channels.resolve(""), None);
    }
}
