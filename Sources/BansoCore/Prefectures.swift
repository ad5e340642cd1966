/// The 47 prefectures by code (01 北海道 … 47 沖縄県).
package let prefectureNames: [String: String] = [
    "01": "北海道",
    "02": "青森県",
    "03": "岩手県",
    "04": "宮城県",
    "05": "秋田県",
    "06": "山形県",
    "07": "福島県",
    "08": "茨城県",
    "09": "栃木県",
    "10": "群馬県",
    "11": "埼玉県",
    "12": "千葉県",
    "13": "東京都",
    "14": "神奈川県",
    "15": "新潟県",
    "16": "富山県",
    "17": "石川県",
    "18": "福井県",
    "19": "山梨県",
    "20": "長野県",
    "21": "岐阜県",
    "22": "静岡県",
    "23": "愛知県",
    "24": "三重県",
    "25": "滋賀県",
    "26": "京都府",
    "27": "大阪府",
    "28": "兵庫県",
    "29": "奈良県",
    "30": "和歌山県",
    "31": "鳥取県",
    "32": "島根県",
    "33": "岡山県",
    "34": "広島県",
    "35": "山口県",
    "36": "徳島県",
    "37": "香川県",
    "38": "愛媛県",
    "39": "高知県",
    "40": "福岡県",
    "41": "佐賀県",
    "42": "長崎県",
    "43": "熊本県",
    "44": "大分県",
    "45": "宮崎県",
    "46": "鹿児島県",
    "47": "沖縄県",
]

/// How a prefecture names itself and its municipalities, from its code: 京都府 writes 府全体 and
/// 府内, 東京都 writes 都全体 and 区市町村, 北海道 writes 道全体.
package struct PrefectureWording: Sendable, Equatable {
    /// 京都府.
    package let name: String
    /// 府 (都, 道, 府 or 県).
    package let suffix: String
    /// 区市町村 for Tokyo (its special wards), 市町村 elsewhere.
    package let municipalities: String

    package init(code: PrefectureCode) {
        name = prefectureNames[code.text] ?? code.text
        suffix = name.hasSuffix("道") ? "道" : String(name.last ?? "県")
        municipalities = code.text == "13" ? "区市町村" : "市町村"
    }

    /// 府全体.
    package var whole: String { suffix + "全体" }
    /// 府内.
    package var within: String { suffix + "内" }

    /// How a letter addresses a municipality: 貴市, 貴町, 貴村, 貴区.
    package static func honorific(_ municipality: String) -> String {
        for s in ["市", "町", "村", "区"] where municipality.hasSuffix(s) { return "貴" + s }
        return "貴団体"
    }
}
