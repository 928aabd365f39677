"""Names this machine's processor from /proc/cpuinfo: the model string, the family and model numbers, and for AMD the
Zen generation they mean (the model string of a cloud VM is often just 'AMD EPYC'), plus the widest vector unit."""


def zen(family, model):
    # AMD's family/model numbering: 0x17 is Zen, Zen+ and Zen 2; 0x19 is Zen 3 (models 0x00-0x0f, 0x20-0x5f) and Zen 4
    # (0x10-0x1f, 0x60-0x7f, 0xa0-0xaf); 0x1a is Zen 5.
    if family == 0x17:
        return "Zen 2" if model >= 0x30 else "Zen / Zen+"
    if family == 0x19:
        return "Zen 4" if 0x10 <= model <= 0x1F or 0x60 <= model <= 0x7F or 0xA0 <= model <= 0xAF else "Zen 3"
    if family == 0x1A:
        return "Zen 5"
    return None


def describe(path="/proc/cpuinfo"):
    fields = {}
    for line in open(path):
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    family, model = int(fields.get("cpu family", "0")), int(fields.get("model", "0"))
    name = fields.get("model name", "unknown")
    generation = zen(family, model) if fields.get("vendor_id") == "AuthenticAMD" else None
    flags = fields.get("flags", "").split()
    vectors = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "SSE"
    return f"{name}, CPU family {family} model {model}" + (f" ({generation})" if generation else "") + f", {vectors}"


if __name__ == "__main__":
    print(describe())
