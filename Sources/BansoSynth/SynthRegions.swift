extension Synth {
    /// 長野県's ten 老人福祉圏域 (the same areas as its 二次医療圏), by municipality name.
    static let naganoRegions: [(code: String, name: String, members: [String])] = [
        ("01", "佐久", ["小諸市", "佐久市", "小海町", "川上村", "南牧村", "南相木村", "北相木村", "佐久穂町", "軽井沢町", "御代田町", "立科町"]),
        ("02", "上小", ["上田市", "東御市", "長和町", "青木村"]),
        ("03", "諏訪", ["岡谷市", "諏訪市", "茅野市", "下諏訪町", "富士見町", "原村"]),
        ("04", "上伊那", ["伊那市", "駒ヶ根市", "辰野町", "箕輪町", "飯島町", "南箕輪村", "中川村", "宮田村"]),
        (
            "05", "飯伊",
            [
                "飯田市", "松川町", "高森町", "阿南町", "阿智村", "平谷村", "根羽村", "下條村", "売木村", "天龍村", "泰阜村", "喬木村",
                "豊丘村", "大鹿村",
            ]
        ),
        ("06", "木曽", ["上松町", "南木曽町", "木祖村", "王滝村", "大桑村", "木曽町"]),
        ("07", "松本", ["松本市", "塩尻市", "安曇野市", "麻績村", "生坂村", "山形村", "朝日村", "筑北村"]),
        ("08", "北アルプス", ["大町市", "池田町", "松川村", "白馬村", "小谷村"]),
        ("09", "長野", ["長野市", "須坂市", "千曲市", "坂城町", "小布施町", "高山村", "信濃町", "小川村", "飯綱町"]),
        ("10", "北信", ["中野市", "飯山市", "山ノ内町", "木島平村", "野沢温泉村", "栄村"]),
    ]

    /// The 圏域 (code, name) of each municipality, in the given order.
    ///
    /// 長野県's real municipalities get their real 老人福祉圏域; any other prefecture, and any
    /// municipality the table does not name, gets blocks of about eight in code order
    /// (第1圏域, 第2圏域, …), as a generated prefecture has no real areas.
    static func regions(_ ms: [TruthMunicipality]) -> [(code: String, name: String)] {
        var known: [String: (String, String)] = [:]
        if ms.first?.code.hasPrefix("20") == true {
            for r in naganoRegions { for m in r.members { known[m] = (r.code, r.name) } }
        }
        if ms.allSatisfy({ known[$0.name] != nil }) { return ms.map { known[$0.name]! } }
        let count = max(1, (ms.count + 4) / 8)
        return ms.indices.map { i in
            let n = i * count / ms.count + 1
            return (String(format: "%02d", n), "第\(n)圏域")
        }
    }
}
