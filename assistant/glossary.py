"""English → Vietnamese administrative terms, for English questions over Vietnamese text.

Folded English words collide with Vietnamese syllables ("the" ~ "thể", "can" ~ "cần"), so
BM25 on an English question is noise. An English question instead searches the lexical
index with the Vietnamese terms it names (and its names, numbers and acronyms), and the
dense query carries the same terms after the question, which raises cross-lingual cosine.
"""

from __future__ import annotations

import re

# Longest phrases first at match time; values are Vietnamese as the documents write them.
TERMS: dict[str, str] = {
    "steering committee": "Ban Chỉ đạo", "steering board": "Ban Chỉ đạo", "task force": "Tổ công tác",
    "working group": "Tổ công tác", "people's committee": "Ủy ban nhân dân", "provincial people's committee": "UBND tỉnh",
    "people's council": "Hội đồng nhân dân", "party committee": "Tỉnh ủy", "standing committee": "Ban Thường vụ",
    "vice chairman": "Phó Chủ tịch", "vice-chairman": "Phó Chủ tịch", "vice chair": "Phó Chủ tịch", "chairman": "Chủ tịch",
    "chairwoman": "Chủ tịch", "chairs": "Trưởng ban", "chair": "Trưởng ban", "head": "Trưởng ban", "heads": "Trưởng ban",
    "leader": "Tổ trưởng", "leads": "Trưởng", "lead": "Trưởng", "led by": "Trưởng", "deputy head": "Phó Trưởng ban", "director": "Giám đốc", "deputy director": "Phó Giám đốc",
    "member": "thành viên", "members": "thành viên", "signed": "ký", "signature": "chữ ký", "signs": "ký",
    "recipients": "Nơi nhận", "sent to": "Nơi nhận", "prime minister": "Thủ tướng Chính phủ",
    "deputy prime minister": "Phó Thủ tướng", "government": "Chính phủ", "ministry": "Bộ",
    "decision": "Quyết định", "plan": "Kế hoạch", "official letter": "Công văn", "dispatch": "Công văn",
    "official dispatch": "Công văn", "notice": "Thông báo", "report": "Báo cáo", "resolution": "Nghị quyết",
    "directive": "Chỉ thị", "telegram": "Công điện", "regulation": "Quy chế", "project": "dự án", "scheme": "Đề án",
    "meeting": "phiên họp", "regular meeting": "phiên họp thường kỳ", "conclusion": "kết luận", "conclusions": "kết luận",
    "tourism": "du lịch", "tourist": "khách du lịch", "tourists": "khách du lịch", "visitors": "lượt khách",
    "family": "gia đình", "physical": "thể lực", "stature": "tầm vóc", "poor households": "hộ nghèo",
    "poverty": "hộ nghèo", "near-poor": "hộ cận nghèo", "near poor": "hộ cận nghèo", "households": "hộ",
    "budget": "ngân sách", "revenue": "thu ngân sách", "state budget": "ngân sách nhà nước", "tax": "thuế",
    "investment": "đầu tư", "public investment": "đầu tư công", "disbursement": "giải ngân", "advance": "tạm ứng",
    "enterprises": "doanh nghiệp", "businesses": "doanh nghiệp", "company": "Công ty", "capital": "vốn",
    "bus": "xe buýt", "buses": "xe buýt", "trips": "chuyến", "routes": "tuyến", "route": "tuyến",
    "railway": "đường sắt", "traffic": "giao thông", "road": "đường", "rural roads": "đường giao thông nông thôn",
    "bridge": "cầu", "bridges": "cầu", "highway": "Quốc lộ", "expressway": "cao tốc", "border gate": "cửa khẩu",
    "border": "biên giới", "smart border gate": "cửa khẩu thông minh", "economic zone": "Khu kinh tế",
    "import": "nhập khẩu", "export": "xuất khẩu", "smuggling": "buôn lậu", "poultry": "gia cầm",
    "livestock": "đàn gia súc", "buffalo": "trâu", "cattle": "bò", "crops": "gieo trồng", "planting": "gieo trồng",
    "winter crop": "vụ Đông", "area": "diện tích", "hectares": "ha", "agriculture": "nông nghiệp",
    "new rural": "nông thôn mới", "industrial": "công nghiệp", "industrial cluster": "cụm công nghiệp",
    "electricity": "điện", "hydropower": "thủy điện", "health": "y tế", "disease": "dịch bệnh", "epidemic": "dịch bệnh",
    "dengue": "sốt xuất huyết", "vaccine": "vắc xin", "vaccination": "tiêm vắc xin", "booster": "liều nhắc lại",
    "children": "trẻ em", "covid": "COVID-19", "medicine": "thuốc", "drugs": "thuốc", "chemicals": "hóa chất",
    "food safety": "an toàn thực phẩm", "lottery": "xổ số", "education": "giáo dục", "school": "trường",
    "schools": "trường học", "national standard": "chuẩn quốc gia", "preschool": "mầm non", "kindergarten": "mầm non",
    "training": "đào tạo", "vocational": "nghề nghiệp", "ethnic minority": "dân tộc thiểu số", "language": "tiếng",
    "civil servants": "công chức", "officials": "cán bộ", "commune": "xã", "communes": "xã", "district": "huyện",
    "city": "thành phố", "administrative procedures": "thủ tục hành chính", "procedures": "thủ tục hành chính",
    "administrative reform": "cải cách hành chính", "digital transformation": "chuyển đổi số",
    "online public services": "dịch vụ công trực tuyến", "information security": "an toàn thông tin",
    "cyber": "an toàn thông tin mạng", "virtual assistant": "Trợ lý ảo", "software": "phần mềm",
    "environment": "môi trường", "environmental incidents": "sự cố môi trường", "storm": "mưa bão", "rainy season": "mùa mưa bão",
    "natural disaster": "thiên tai", "land": "đất đai", "minerals": "khoáng sản", "water supply": "cấp nước",
    "clean water": "nước sạch", "geopark": "Công viên địa chất", "emulation": "thi đua", "commendation": "khen thưởng",
    "movement": "Phong trào", "learning society": "xã hội học tập", "conflict of interest": "xung đột lợi ích",
    "inspection": "thanh tra", "inspections": "thanh tra", "complaints": "khiếu nại", "denunciations": "tố cáo",
    "corruption": "tham nhũng", "security": "an ninh", "defense": "quốc phòng", "police": "công an",
    "crime": "tội phạm", "foreign affairs": "đối ngoại", "guangxi": "Quảng Tây", "china": "Trung Quốc",
    "fund": "Quỹ", "land development fund": "Quỹ Phát triển đất", "council": "Hội đồng", "board": "Ban",
    "management board": "Ban Quản lý", "center": "Trung tâm", "centre": "Trung tâm", "promotion": "xúc tiến",
    "trade": "thương mại", "decentralization": "phân cấp", "social security": "an sinh xã hội", "tet": "Tết",
    "lunar new year": "Tết Nguyên đán", "gifts": "quà", "policy beneficiaries": "đối tượng chính sách",
    "recruitment": "tuyển dụng", "national day": "Quốc khánh", "holiday": "kỳ nghỉ", "week": "tuần",
    "january": "tháng 01", "february": "tháng 02", "july": "tháng 7", "august": "tháng 8", "december": "tháng 12",
    "month": "tháng", "year": "năm", "target": "chỉ tiêu", "targets": "chỉ tiêu", "goal": "mục tiêu", "goals": "mục tiêu",
    "tasks": "nhiệm vụ", "solutions": "giải pháp", "repeal": "bãi bỏ", "repealed": "bãi bỏ", "abolish": "bãi bỏ",
    "establish": "thành lập", "established": "thành lập", "consolidate": "kiện toàn", "reorganize": "kiện toàn",
    "approve": "phê duyệt", "approved": "phê duyệt", "groundbreaking": "Lễ khởi công", "violations": "vi phạm",
    "safety corridor": "hành lang an toàn", "ticket": "vé", "fares": "giá vé", "subsidy": "trợ giá",
    "assets": "tài sản", "headquarters": "trụ sở", "quality": "chất lượng", "growth": "tốc độ tăng", "grdp": "GRDP",
}
_PATTERN = re.compile(r"\b(" + "|".join(re.escape(t) for t in sorted(TERMS, key=len, reverse=True)) + r")\b", re.I)
# Words of an English question that carry no search meaning.
STOPWORDS = set(
    "a an the of in on at to for from by with about as and or is are was were be been does did do what which who whom "
    "whose when where why how many much there this that these those it its their they he she his her say says said tell "
    "me please any some all under into over than per".split()
)


def vietnamese_terms(english: str) -> list[str]:
    """The Vietnamese terms an English question names, in order, without repeats."""
    return list(dict.fromkeys(TERMS[m.group(1).lower()] for m in _PATTERN.finditer(english)))


def untranslated_words(english: str) -> list[str]:
    """Words outside the lexicon worth matching as they are: names, numbers, acronyms."""
    rest = _PATTERN.sub(" ", english)
    return [w for w in re.findall(r"[\w/-]+", rest) if w.lower() not in STOPWORDS
            and (w[0].isupper() or any(c.isdigit() for c in w))]
