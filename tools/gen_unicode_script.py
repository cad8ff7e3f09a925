"""Writes ``unicode_script_data.py``: the Unicode script of every code point as ICU numbers it.

Run by hand (``python tools/gen_unicode_script.py``) when the table must change; it
needs the third-party ``regex`` module for the Unicode Script property, which ndflow itself does
not depend on. The table follows the Unicode version of TensorFlow's ICU (13.0): code points
unassigned there are Unknown (103), and the code points Unicode 14.0 added to existing scripts
are listed below because the ``regex`` and ``unicodedata`` data here are newer.
"""
import pathlib
import unicodedata

# ICU's UScriptCode numbering: the ISO 15924 code of script number i is entry i.
ICU_SCRIPTS = """
Zyyy Zinh Arab Armn Beng Bopo Cher Copt Cyrl Dsrt Deva Ethi Geor Goth Grek Gujr Guru Hani Hang
Hebr Hira Knda Kana Khmr Laoo Latn Mlym Mong Mymr Ogam Ital Orya Runr Sinh Syrc Taml Telu Thaa
Thai Tibt Cans Yiii Tglg Hano Buhd Tagb Brai Cprt Limb Linb Osma Shaw Tale Ugar Hrkt Bugi Glag
Khar Sylo Talu Tfng Xpeo Bali Batk Blis Brah Cham Cirt Cyrs Egyd Egyh Egyp Geok Hans Hant Hmng
Hung Inds Java Kali Latf Latg Lepc Lina Mand Maya Mero Nkoo Orkh Perm Phag Phnx Plrd Roro Sara
Syre Syrj Syrn Teng Vaii Visp Xsux Zxxx Zzzz Cari Jpan Lana Lyci Lydi Olck Rjng Saur Sgnw Sund
Moon Mtei Armi Avst Cakm Kore Kthi Mani Phli Phlp Phlv Prti Samr Tavt Zmth Zsym Bamu Lisu Nkgb
Sarb Bass Dupl Elba Gran Kpel Loma Mend Merc Narb Nbat Palm Sind Wara Afak Jurc Mroo Nshu Shrd
Sora Takr Tang Wole Hluw Khoj Tirh Aghb Mahj Ahom Hatr Modi Mult Pauc Sidd Adlm Bhks Marc Newa
Osge Hanb Jamo Zsye Gonm Soyo Zanb Dogr Gong Maka Medf Rohg Sogd Sogo Elym Hmnp Nand Wcho Chrs
Diak Kits Yezi""".split()
UNKNOWN = ICU_SCRIPTS.index("Zzzz")

# Code points Unicode 14.0 assigned within scripts that Unicode 13.0 already had (the scripts
# new in 14.0 are absent from ICU_SCRIPTS, so they are Unknown anyway).
UNICODE_14_ADDITIONS = [
    (0x61D, 0x61D), (0x870, 0x88E), (0x890, 0x891), (0x898, 0x89F), (0x8B5, 0x8B5),
    (0x8C8, 0x8D2), (0xC3C, 0xC3C), (0xC5D, 0xC5D), (0xCDD, 0xCDD), (0x170D, 0x170D),
    (0x1715, 0x1715), (0x171F, 0x171F), (0x180F, 0x180F), (0x1AC1, 0x1ACE), (0x1B4C, 0x1B4C),
    (0x1B7D, 0x1B7E), (0x1DFA, 0x1DFA), (0x20C0, 0x20C0), (0x2C2F, 0x2C2F), (0x2C5F, 0x2C5F),
    (0x2E53, 0x2E5D), (0x9FFD, 0x9FFF), (0xA7C0, 0xA7C1), (0xA7D0, 0xA7D1), (0xA7D3, 0xA7D3),
    (0xA7D5, 0xA7D9), (0xA7F2, 0xA7F4), (0xFBC2, 0xFBC2), (0xFD40, 0xFD4F), (0xFDCF, 0xFDCF),
    (0xFDFE, 0xFDFF), (0x10780, 0x10785), (0x10787, 0x107B0), (0x107B2, 0x107BA),
    (0x11070, 0x11075), (0x110C2, 0x110C2), (0x116B9, 0x116B9), (0x11740, 0x11746),
    (0x11AB0, 0x11ABF), (0x1AFF0, 0x1AFF3), (0x1AFF5, 0x1AFFB), (0x1AFFD, 0x1AFFE),
    (0x1B11F, 0x1B122), (0x1CF00, 0x1CF2D), (0x1CF30, 0x1CF46), (0x1CF50, 0x1CFC3),
    (0x1D1E9, 0x1D1EA), (0x1DF00, 0x1DF1E), (0x1E7E0, 0x1E7E6), (0x1E7E8, 0x1E7EB),
    (0x1E7ED, 0x1E7EE), (0x1E7F0, 0x1E7FE), (0x1F6DD, 0x1F6DF), (0x1F7F0, 0x1F7F0),
    (0x1F979, 0x1F979), (0x1F9CC, 0x1F9CC), (0x1FA7B, 0x1FA7C), (0x1FAA9, 0x1FAAC),
    (0x1FAB7, 0x1FABA), (0x1FAC3, 0x1FAC5), (0x1FAD7, 0x1FAD9), (0x1FAE0, 0x1FAE7),
    (0x1FAF0, 0x1FAF6), (0x2A6DE, 0x2A6DF), (0x2B735, 0x2B738)]

# Unicode 14.0 moved the two Old Chinese marks from Common to Han.
UNICODE_13_SCRIPTS = [(0x16FE2, 0x16FE3, ICU_SCRIPTS.index("Zyyy"))]


def scripts():
    """The ICU script number of every code point 0..0x10FFFF, as a list."""
    import regex
    text = "".join(chr(c) for c in range(0x110000))
    out = [UNKNOWN] * 0x110000
    for number, iso in enumerate(ICU_SCRIPTS):
        try:
            pattern = regex.compile(r"\p{sc=%s}+" % iso)
        except regex.error:      # ICU numbers scripts Unicode never encoded
            continue
        for m in pattern.finditer(text):
            out[m.start():m.end()] = [number] * (m.end() - m.start())
    for c in range(0x110000):
        if unicodedata.category(chr(c)) == "Cn":
            out[c] = UNKNOWN
    for lo, hi in UNICODE_14_ADDITIONS:
        out[lo:hi + 1] = [UNKNOWN] * (hi - lo + 1)
    for lo, hi, number in UNICODE_13_SCRIPTS:
        out[lo:hi + 1] = [number] * (hi - lo + 1)
    return out


def runs_text(codes):
    """The runs of equal script numbers as text: ``delta:number`` per run (delta: the run's
    start minus the previous run's, in hex), wrapped in lines."""
    tokens, previous = [], 0
    for c in range(len(codes)):
        if c == 0 or codes[c] != codes[c - 1]:
            tokens.append(f"{c - previous:x}:{codes[c]}")
            previous = c
    lines, line = [], ""
    for token in tokens:
        if len(line) + len(token) + 1 > 95:
            lines.append(line)
            line = ""
        line = f"{line} {token}" if line else token
    return "\n".join(lines + [line])


def main():
    """Writes ndflow/structures/unicode_script_data.py."""
    target = (pathlib.Path(__file__).resolve().parent.parent / "ndflow" / "structures"
              / "unicode_script_data.py")
    target.write_text(
        '"""The Unicode script of every code point as ICU numbers it (UScriptCode), as runs:\n'
        "``delta:number`` tokens, delta being a run's start minus the previous run's start in "
        "hex.\nGenerated by ``tools/gen_unicode_script.py``; do not edit.\"\"\"\n"
        f'RUNS = """\n{runs_text(scripts())}\n"""\n')


if __name__ == "__main__":
    main()
