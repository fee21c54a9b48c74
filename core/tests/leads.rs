//! Contract tests of leads: CSV import, duplicate detection, normalisation and conversion.

use dealflow_core::{
    AccountChoice, AccountId, ChannelId, ContactId, ConversionRequest, Custody, DealId,
    DuplicateIndex, DuplicateKeys, DuplicatePolicy, EncodingChoice, ImportError, ImportOptions,
    ImportReport, InvalidReason, Lead, LeadDraft, LeadError, LeadField, LeadId, LeadStatus, Locale,
    Localized, MatchField, Money, Pipeline, RecordRef, RowProblem, SourceEncoding, StageId,
    Timestamp, UserId, convert_lead, detect_encoding, import_leads, import_leads_text,
    normalize_company, normalize_email, normalize_phone,
};
use expect_test::{Expect, expect};
use proptest::prelude::*;

const NOW: Timestamp = Timestamp::from_millis(1_764_000_000_000);

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/leads/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|error| panic!("read {path}: {error}"))
}

fn options() -> ImportOptions {
    ImportOptions::new("imp", ChannelId::new("trade_show").unwrap())
}

fn user(id: &str) -> UserId {
    UserId::new(id).unwrap()
}

/// The existing records the fixtures collide with: a lead owned by chen (phone 13300133000)
/// and the account ACME owned by wang.
fn existing() -> DuplicateIndex {
    let mut index = DuplicateIndex::new();
    index.insert(
        RecordRef::Lead(LeadId::new("old-1").unwrap()),
        &DuplicateKeys::from_fields("成都老客户", Some("13300133000"), None),
        Some(user("chen")),
    );
    index.insert(
        RecordRef::Account(AccountId::new("acc-acme").unwrap()),
        &DuplicateKeys::from_fields("ACME", None, None),
        Some(user("wang")),
    );
    index
}

/// One line per row, in file order, for snapshots.
fn render(report: &ImportReport, locale: Locale) -> String {
    let mut lines: Vec<(u64, String)> = Vec::new();
    for imported in &report.imported {
        let lead = &imported.lead;
        let flags: Vec<String> = imported
            .duplicates
            .iter()
            .map(|found| {
                format!(
                    " [dup {:?} owner {:?} on {:?}]",
                    found.record, found.owner, found.matched_on
                )
            })
            .collect();
        lines.push((
            imported.row,
            format!(
                "{} ok {} | {} | {} | {} | {}{}",
                imported.row,
                lead.contact_name,
                lead.company,
                lead.phone.as_deref().unwrap_or("-"),
                lead.email.as_deref().unwrap_or("-"),
                lead.source,
                flags.concat()
            ),
        ));
    }
    for rejected in &report.rejected {
        let reasons: Vec<String> = rejected
            .problems
            .iter()
            .map(|problem| problem.localized(locale))
            .collect();
        lines.push((
            rejected.row,
            format!("{} rejected: {}", rejected.row, reasons.join("; ")),
        ));
    }
    for row in &report.blank_rows {
        lines.push((*row, format!("{row} blank")));
    }
    lines.sort();
    let mut out: Vec<String> = lines.into_iter().map(|(_, line)| line).collect();
    out.push(report.summary().localized(locale));
    out.join("\n") + "\n"
}

fn check(report: &ImportReport, locale: Locale, expected: &Expect) {
    expected.assert_eq(&render(report, locale));
}

#[test]
fn gbk_trade_show_list_imports_valid_rows_and_explains_the_rest() {
    let report =
        import_leads(&fixture("trade_show_gbk.csv"), &options(), &existing(), NOW).unwrap();
    assert_eq!(report.encoding, SourceEncoding::Gb18030);
    assert_eq!(report.ignored_columns().count(), 0);
    check(
        &report,
        Locale::ZhCn,
        &expect![[r#"
            2 ok 张伟 | 上海示例科技有限公司 | 13800138000 | zhangwei@example.cn | trade_show
            3 ok 李娜 | 北京样本数据股份有限公司 | 13900139000 | lina@sample.cn | trade_show
            4 ok 王芳 | 杭州测试网络有限公司 | 057188886666 | wangfang@test.cn | trade_show
            5 rejected: 电话“1380013”无效：请填写 11 位手机号、带区号的座机或 +国家码 的号码
            6 rejected: 邮箱“chenjing@@example.cn”格式不正确
            7 rejected: 缺少必填项“公司名称”
            8 rejected: 与第 2 行重复（公司名称相同）
            9 ok 周杰 | 宁波例证机械有限公司 | 13400134000 | zhoujie@example.cn | trade_show
            10 rejected: 电话和邮箱至少填写一项
            11 rejected: 与已有线索 old-1 撞单（电话相同），负责人：chen
            12 rejected: 来源渠道“飞鸽传书”未配置：请使用已配置的渠道名称
            共 11 行：导入 4 行（其中 0 行疑似重复），失败 7 行，空行 0 行
        "#]],
    );
    check(
        &report,
        Locale::En,
        &expect![[r#"
            2 ok 张伟 | 上海示例科技有限公司 | 13800138000 | zhangwei@example.cn | trade_show
            3 ok 李娜 | 北京样本数据股份有限公司 | 13900139000 | lina@sample.cn | trade_show
            4 ok 王芳 | 杭州测试网络有限公司 | 057188886666 | wangfang@test.cn | trade_show
            5 rejected: phone "1380013" is invalid: use an 11-digit mobile, a landline with area code, or +country code
            6 rejected: email "chenjing@@example.cn" is invalid
            7 rejected: required field "Company" is empty
            8 rejected: duplicates row 2 (same company name)
            9 ok 周杰 | 宁波例证机械有限公司 | 13400134000 | zhoujie@example.cn | trade_show
            10 rejected: give a phone or an email
            11 rejected: collides with existing lead old-1 (same phone), owned by chen
            12 rejected: source "飞鸽传书" is not a configured channel: use a configured one
            11 rows: 4 imported (0 flagged as possible duplicates), 7 rejected, 0 blank
        "#]],
    );
    let first = &report.imported[0].lead;
    assert_eq!(first.id.as_str(), "imp-2");
    assert_eq!(first.region.as_deref(), Some("华东"));
    assert_eq!(first.campaign.as_deref(), Some("2026 上海工博会"));
    assert_eq!(first.status, LeadStatus::Unprocessed);
    assert_eq!(first.custody, Custody::Unassigned);
    assert_eq!(first.created_at, NOW);
}

#[test]
fn gbk_and_utf8_of_the_same_file_import_identically() {
    let gbk = fixture("trade_show_gbk.csv");
    let (utf8, _, had_errors) = encoding_rs::GB18030.decode(&gbk);
    assert!(!had_errors);
    let from_gbk = import_leads(&gbk, &options(), &existing(), NOW).unwrap();
    let from_utf8 = import_leads(utf8.as_bytes(), &options(), &existing(), NOW).unwrap();
    assert_eq!(from_utf8.encoding, SourceEncoding::Utf8);
    assert_eq!(from_gbk.imported, from_utf8.imported);
    assert_eq!(from_gbk.rejected, from_utf8.rejected);
    // A caller that decodes by itself (the browser's TextDecoder) gets the same report.
    let detected = detect_encoding(&gbk, EncodingChoice::Auto);
    assert_eq!(detected.encoding.whatwg_label(), "gb18030");
    let from_text =
        import_leads_text(&utf8, detected.encoding, &options(), &existing(), NOW).unwrap();
    assert_eq!(from_text, from_gbk);
    // Forcing the encoding gives the same result as detecting it.
    let mut forced = options();
    forced.encoding = EncodingChoice::Gb18030;
    let from_forced = import_leads(&gbk, &forced, &existing(), NOW).unwrap();
    assert_eq!(from_forced.imported, from_gbk.imported);
}

#[test]
fn utf8_bom_with_english_headers_flags_duplicates_when_asked() {
    let mut options = options();
    options.on_duplicate = DuplicatePolicy::ImportAndFlag;
    options.default_campaign = Some("Expo 2026".into());
    let report = import_leads(
        &fixture("web_export_utf8_bom.csv"),
        &options,
        &existing(),
        NOW,
    )
    .unwrap();
    assert_eq!(report.encoding, SourceEncoding::Utf8WithBom);
    assert_eq!(report.ignored_columns().collect::<Vec<_>>(), ["WeChat"]);
    check(
        &report,
        Locale::En,
        &expect![[r#"
            2 ok Li Lei | Acme Co., Ltd. | +14155550100 | li.lei@acme.com | trade_show [dup Account(AccountId("acc-acme")) owner Some(UserId("wang")) on [Company]]
            4 ok Han Meimei | Globex Inc. | 13800138001 | han.meimei@globex.com | referral
            5 blank
            6 ok Jim Green | Initech Limited | 01065529988 | jim@initech.com | web_form
            7 rejected: the row has 12 cells but the header has 11 columns
            8 ok Lucy King | Hooli | 13900139003 | lucy@hooli.com | social_media
            6 rows: 4 imported (1 flagged as possible duplicates), 1 rejected, 1 blank
        "#]],
    );
    let li_lei = &report.imported[0].lead;
    assert_eq!(li_lei.notes, "Met at booth 12.\nWants a demo next week.");
    assert_eq!(li_lei.product_interest.as_deref(), Some("CRM Pro"));
    let han = &report.imported[1].lead;
    assert_eq!(han.campaign.as_deref(), Some("Expo 2026"));
}

#[test]
fn duplicates_within_a_file_are_found_through_every_normalisation() {
    let report = import_leads(
        &fixture("duplicates_and_bad_rows.csv"),
        &ImportOptions::new("d", ChannelId::new("web_form").unwrap()),
        &DuplicateIndex::new(),
        NOW,
    )
    .unwrap();
    check(
        &report,
        Locale::ZhCn,
        &expect![[r#"
            2 ok 黄磊 | Ａｃｍｅ 科技有限公司 | 13800138000 | huang@acme.cn | web_form
            3 rejected: 与第 2 行重复（电话、公司名称相同）
            4 rejected: 与第 2 行重复（邮箱相同）
            5 ok 马超 | 北京和静咨询 (有限公司) | 13900000002 | machao@hejing.cn | web_form
            6 rejected: 电话“not-a-phone”无效：请填写 11 位手机号、带区号的座机或 +国家码 的号码; 邮箱“luolan@example”格式不正确
            7 rejected: 缺少必填项“联系人”
            8 ok 宋佳 | 宋佳工作室 | 13900000004 | songjia@example.cn | web_form
            共 7 行：导入 3 行（其中 0 行疑似重复），失败 4 行，空行 0 行
        "#]],
    );
}

#[test]
fn semicolons_and_international_numbers() {
    let report = import_leads(
        &fixture("semicolon_en.csv"),
        &options(),
        &DuplicateIndex::new(),
        NOW,
    )
    .unwrap();
    assert_eq!(report.delimiter, ';');
    let phones: Vec<_> = report.leads().map(|lead| lead.phone.clone()).collect();
    assert_eq!(
        phones,
        [Some("+49301234567".into()), Some("+390612345678".into())]
    );
}

#[test]
fn a_file_without_required_columns_is_refused_as_a_whole() {
    let error = import_leads(
        &fixture("missing_columns.csv"),
        &options(),
        &DuplicateIndex::new(),
        NOW,
    )
    .unwrap_err();
    assert_eq!(
        error,
        ImportError::MissingColumns {
            missing: vec![LeadField::Company]
        }
    );
    assert_eq!(
        error.to_string(),
        "missing required columns Company: add them to the header row"
    );
    assert_eq!(
        error.localized(Locale::ZhCn),
        "缺少必填列：公司名称；请在表头中添加"
    );
    assert_eq!(
        dealflow_core::Error::from(error).code().as_str(),
        "invalid_import_file"
    );
}

#[test]
fn over_long_cells_and_bad_prefixes() {
    let csv = format!(
        "name,company,phone,notes\na,b,13800138000,{}\n",
        "x".repeat(5_001)
    );
    let report = import_leads(csv.as_bytes(), &options(), &DuplicateIndex::new(), NOW).unwrap();
    assert_eq!(
        report.rejected[0].problems,
        [RowProblem::TooLong {
            field: LeadField::Notes,
            max_chars: 5_000
        }]
    );
    let bad_prefix = ImportOptions::new("p".repeat(120), ChannelId::new("web_form").unwrap());
    assert!(matches!(
        import_leads(csv.as_bytes(), &bad_prefix, &DuplicateIndex::new(), NOW),
        Err(ImportError::IdPrefix(_))
    ));
    let undecodable = [0xFF_u8, 0xFF, 0xFF];
    assert_eq!(
        import_leads(&undecodable, &options(), &DuplicateIndex::new(), NOW).unwrap_err(),
        ImportError::Undecodable
    );
}

#[test]
fn duplicate_index_reports_the_existing_owner_before_assignment() {
    let mut index = existing();
    let lead = Lead::new(
        LeadId::new("new-1").unwrap(),
        LeadDraft {
            contact_name: "n".into(),
            company: "Ａｃｍｅ, Inc.".into(),
            phone: Some("+86 133-0013-3000".into()),
            ..LeadDraft::default()
        },
        ChannelId::new("web_form").unwrap(),
        NOW,
    );
    let matches = index.find_for_lead(&lead);
    let summary: Vec<_> = matches
        .iter()
        .map(|found| {
            (
                found.record.clone(),
                found.owner.clone(),
                found.matched_on.clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                RecordRef::Lead(LeadId::new("old-1").unwrap()),
                Some(user("chen")),
                vec![MatchField::Phone]
            ),
            (
                RecordRef::Account(AccountId::new("acc-acme").unwrap()),
                Some(user("wang")),
                vec![MatchField::Company]
            ),
        ]
    );
    // Once indexed itself, a lead does not collide with itself.
    index.insert_lead(&lead);
    assert_eq!(index.find_for_lead(&lead).len(), 2);
    assert_eq!(index.len(), 3);
}

#[test]
fn conversion_keeps_the_source_and_refuses_closed_leads() {
    let mut lead = Lead::new(
        LeadId::new("l-1").unwrap(),
        LeadDraft {
            contact_name: "张伟".into(),
            company: "上海示例科技有限公司".into(),
            phone: Some("13800138000".into()),
            region: Some("华东".into()),
            product_interest: Some("CRM 专业版".into()),
            campaign: Some("2026 上海工博会".into()),
            ..LeadDraft::default()
        },
        ChannelId::new("trade_show").unwrap(),
        NOW,
    );
    lead.custody = Custody::Owned {
        owner: user("li"),
        since: NOW,
    };
    let lead = lead.record_follow_up(NOW.plus_days(1)).unwrap();
    let request = ConversionRequest {
        account: AccountChoice::New(AccountId::new("acc-1").unwrap()),
        contact: ContactId::new("c-1").unwrap(),
        deal: DealId::new("d-1").unwrap(),
        stage: Some(StageId::new("needs").unwrap()),
        title: None,
        amount: Some(Money::from_major(120_000, dealflow_core::Currency::CNY).unwrap()),
        owner: None,
    };
    let pipeline = Pipeline::template_new_business();
    let (converted, conversion) =
        convert_lead(&lead, &pipeline, request.clone(), NOW.plus_days(2)).unwrap();
    assert_eq!(conversion.deal.source.as_str(), "trade_show");
    assert_eq!(conversion.deal.campaign.as_deref(), Some("2026 上海工博会"));
    assert_eq!(conversion.deal.title, "上海示例科技有限公司 · CRM 专业版");
    assert_eq!(conversion.deal.owner, user("li"));
    assert_eq!(conversion.deal.pipeline.as_str(), "new_business");
    assert_eq!(conversion.contact.account.as_str(), "acc-1");
    assert!(conversion.account.is_new);
    assert_eq!(conversion.account.region.as_deref(), Some("华东"));
    assert!(
        matches!(converted.status, LeadStatus::Converted { ref deal, .. } if deal.as_str() == "d-1")
    );
    assert_eq!(converted.version, lead.version + 1);

    let again = convert_lead(&converted, &pipeline, request, NOW).unwrap_err();
    assert!(matches!(again, LeadError::Closed { .. }));
    assert_eq!(
        again.localized(Locale::ZhCn),
        "线索 l-1 已转化或已标记无效：请重新打开或新建线索"
    );
    let invalid = lead.mark_invalid(InvalidReason::Competitor, NOW).unwrap();
    assert!(invalid.mark_invalid(InvalidReason::NoNeed, NOW).is_err());
    assert_eq!(InvalidReason::Competitor.localized(Locale::ZhCn), "同行");
}

#[test]
fn serde_round_trip_of_a_lead() {
    let report =
        import_leads(&fixture("trade_show_gbk.csv"), &options(), &existing(), NOW).unwrap();
    let lead = report.imported[0].lead.clone();
    let json = serde_json::to_string(&lead).unwrap();
    let back: Lead = serde_json::from_str(&json).unwrap();
    assert_eq!(back, lead);
    assert!(
        json.contains(r#""custody":{"state":"unassigned"}"#),
        "{json}"
    );
    assert!(
        json.contains(r#""status":{"status":"unprocessed"}"#),
        "{json}"
    );
}

/// A generated CSV cell value: sometimes valid, sometimes not.
fn cell(valid: &'static [&'static str], invalid: &'static [&'static str]) -> BoxedStrategy<String> {
    prop_oneof![
        3 => proptest::sample::select(valid).prop_map(str::to_owned),
        1 => proptest::sample::select(invalid).prop_map(str::to_owned),
        1 => Just(String::new()),
    ]
    .boxed()
}

fn row() -> impl Strategy<Value = [String; 5]> {
    (
        cell(&["张三", "Li Lei", "王 芳"], &["\"quoted, name\""]),
        cell(
            &["示例科技有限公司", "Acme Co., Ltd.", "样本数据", "Globex"],
            &["有限公司"],
        ),
        cell(
            &[
                "13800138000",
                "+86 139 0013 9000",
                "010-6552 9988",
                "+1 415 555 0100",
            ],
            &["12345", "phone?", "1380013800"],
        ),
        cell(
            &["a@example.cn", "B@Example.CN", "li.lei@acme.com"],
            &["a@b", "@x.cn", "a b@c.cn"],
        ),
        cell(&["展会", "官网", "referral", "微信"], &["飞鸽传书"]),
    )
        .prop_map(|(name, company, phone, email, source)| [name, company, phone, email, source])
}

fn quote(cell: &str) -> String {
    if cell.contains([',', '"', '\n']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_owned()
    }
}

proptest! {
    /// Every data row ends up in exactly one of imported, rejected or blank; imported leads are
    /// valid and, with duplicates rejected, no two of them collide.
    #[test]
    fn every_row_is_accounted_for(
        rows in proptest::collection::vec(row(), 0..40),
        gbk in any::<bool>(),
        crlf in any::<bool>(),
    ) {
        let mut text = String::from("联系人,公司,电话,邮箱,来源\n");
        for row in &rows {
            let cells: Vec<String> = row.iter().map(|cell| quote(cell)).collect();
            text.push_str(&cells.join(","));
            text.push('\n');
        }
        if crlf {
            text = text.replace('\n', "\r\n");
        }
        let bytes = if gbk {
            encoding_rs::GB18030.encode(&text).0.into_owned()
        } else {
            text.clone().into_bytes()
        };
        let report = import_leads(&bytes, &options(), &DuplicateIndex::new(), NOW).unwrap();
        prop_assert_eq!(report.total_rows(), rows.len());
        let mut seen_rows: Vec<u64> = report.imported.iter().map(|imported| imported.row)
            .chain(report.rejected.iter().map(|rejected| rejected.row))
            .chain(report.blank_rows.iter().copied())
            .collect();
        seen_rows.sort_unstable();
        let expected_rows: Vec<u64> = (2..2 + rows.len() as u64).collect();
        prop_assert_eq!(seen_rows, expected_rows);
        for rejected in &report.rejected {
            prop_assert!(!rejected.problems.is_empty());
        }
        let mut index = DuplicateIndex::new();
        for lead in report.leads() {
            prop_assert!(!lead.contact_name.is_empty() && !lead.company.is_empty());
            prop_assert!(lead.phone.is_some() || lead.email.is_some());
            if let Some(phone) = &lead.phone {
                prop_assert_eq!(normalize_phone(phone), Some(phone.clone()));
            }
            if let Some(email) = &lead.email {
                prop_assert_eq!(normalize_email(email), Some(email.clone()));
            }
            prop_assert!(index.find_for_lead(lead).is_empty(), "{lead:?} collides");
            index.insert_lead(lead);
        }
    }

    /// The index finds exactly what a scan comparing normalised keys finds.
    #[test]
    fn index_agrees_with_a_scan(
        records in proptest::collection::vec((0..6_u8, 0..6_u8, 0..6_u8), 0..60),
        probe in (0..6_u8, 0..6_u8, 0..6_u8),
    ) {
        let phones = ["13800138000", "+86 13800138000", "13900139000", "010 6552 9988", "bad", ""];
        let emails = ["a@x.cn", " A@X.CN", "b@x.cn", "c@y.com", "nope", ""];
        let companies = ["示例科技有限公司", "示例科技", "ACME Co., Ltd.", "acme", "Globex", "公司"];
        let keys = |(phone, email, company): (u8, u8, u8)| DuplicateKeys::from_fields(
            companies[usize::from(company)],
            Some(phones[usize::from(phone)]),
            Some(emails[usize::from(email)]),
        );
        let mut index = DuplicateIndex::new();
        for (position, record) in records.iter().enumerate() {
            let id = LeadId::new(format!("l{position}")).unwrap();
            index.insert(RecordRef::Lead(id), &keys(*record), None);
        }
        let wanted = keys(probe);
        let found: Vec<String> = index.find(&wanted).into_iter().map(|m| format!("{:?}", m.record)).collect();
        let scanned: Vec<String> = records.iter().enumerate().filter(|(_, record)| {
            let have = keys(**record);
            (have.phone.is_some() && have.phone == wanted.phone)
                || (have.email.is_some() && have.email == wanted.email)
                || (have.company.is_some() && have.company == wanted.company)
        }).map(|(position, _)| format!("{:?}", RecordRef::Lead(LeadId::new(format!("l{position}")).unwrap()))).collect();
        prop_assert_eq!(found, scanned);
    }

    /// Normalisation is idempotent and ignores full-width forms and case.
    #[test]
    fn normalisation_is_stable(company in "[a-zA-Z示例科技 ]{1,12}", suffix in proptest::sample::select(vec!["", "有限公司", " Co., Ltd.", " Inc"])) {
        let written = format!("{company}{suffix}");
        let full_width: String = written.chars().map(|c| match c {
            '!'..='~' => char::from_u32(u32::from(c) + 0xFEE0).unwrap_or(c),
            _ => c,
        }).collect();
        prop_assert_eq!(normalize_company(&written), normalize_company(&full_width));
        prop_assert_eq!(normalize_company(&written), normalize_company(&written.to_uppercase()));
        if let Some(key) = normalize_company(&written) {
            prop_assert_eq!(normalize_company(&key), Some(key));
        }
    }
}
