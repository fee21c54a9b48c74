//! Lead source channels (来源渠道): configurable, with bilingual labels and import aliases.

use std::collections::HashMap;

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
    /// case, spaces and full-width forms. To resolve many values, build a
    /// [`SourceChannels::resolver`] once.
    pub fn resolve(&self, value: &str) -> Option<&ChannelId> {
        let wanted = normalize_label(value);
        if wanted.is_empty() {
            return None;
        }
        self.channels
            .iter()
            .find(|channel| names(channel).any(|name| normalize_label(name) == wanted))
            .map(|channel| &channel.id)
    }

    /// A lookup table from every normalised name to its channel; the first channel wins when
    /// two share a name.
    pub fn resolver(&self) -> ChannelResolver<'_> {
        let mut by_name = HashMap::new();
        for channel in &self.channels {
            for name in names(channel) {
                by_name.entry(normalize_label(name)).or_insert(&channel.id);
            }
        }
        ChannelResolver { by_name }
    }
}

fn names(channel: &SourceChannel) -> impl Iterator<Item = &str> {
    [
        channel.id.as_str(),
        channel.label.zh_cn.as_str(),
        channel.label.en.as_str(),
    ]
    .into_iter()
    .chain(channel.aliases.iter().map(String::as_str))
}

/// Resolves channel names with one hash lookup each (see [`SourceChannels::resolve`]).
#[derive(Clone, Debug)]
pub struct ChannelResolver<'a> {
    by_name: HashMap<String, &'a ChannelId>,
}

impl<'a> ChannelResolver<'a> {
    /// The channel `value` names, if any.
    pub fn resolve(&self, value: &str) -> Option<&'a ChannelId> {
        let wanted = normalize_label(value);
        if wanted.is_empty() {
            return None;
        }
        self.by_name.get(&wanted).copied()
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
        let resolver = channels.resolver();
        for value in [
            "展会",
            " Trade Show ",
            "ＥＸＰＯ",
            "trade_show",
            "飞鸽传书",
            "",
        ] {
            assert_eq!(resolver.resolve(value), channels.resolve(value), "{value}");
        }
    }
}
