"""Write the reader's layers and heads (``bot/semantic/data/reader.npz``) as int8 ONNX.

Why: onnxruntime runs the same arithmetic several times faster than numpy on two cores (fused
attention, int8 matrix products), which is what lets the reader read every candidate within the
latency goal. The graph takes the embedded tokens (the word-piece table stays in numpy, shared
with the sentence encoder, so it is not shipped twice) and returns the answer logit and the
start/end logits. Development only (needs ``onnx``); the product needs only onnxruntime.

    /work/ft/bin/python training/export_reader.py training/out/reader.npz bot/semantic/data/
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

DIM, HEADS = 384, 12


def graph(w: dict[str, np.ndarray], layers: int, pool: bool = False) -> onnx.ModelProto:
    """The reader's layers and heads; ``pool``: the sentence model's layers and its pooling
    (masked mean, then unit length) instead of the heads."""
    nodes: list[onnx.NodeProto] = []
    inits: list[onnx.TensorProto] = []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(value, name))
        return name

    def node(op: str, ins: list[str], out: str, **attrs: object) -> str:
        nodes.append(helper.make_node(op, ins, [out], **attrs))
        return out

    hd = DIM // HEADS
    const("shape_heads", np.array([0, 0, HEADS, hd], dtype=np.int64))
    const("shape_back", np.array([0, 0, DIM], dtype=np.int64))
    const("scale", np.array(1.0 / np.sqrt(hd), dtype=np.float32))
    const("half", np.array(0.5, dtype=np.float32))
    const("one", np.array(1.0, dtype=np.float32))
    const("sqrt2", np.array(np.sqrt(2.0), dtype=np.float32))
    const("negbig", np.array(-1e4, dtype=np.float32))
    const("axes12", np.array([1, 2], dtype=np.int64))
    # mask [b, n] (1 = token) -> additive bias [b, 1, 1, n]
    inv = node("Sub", ["one", "mask"], "inv_mask")
    bias = node("Mul", [inv, "negbig"], "mask_bias0")
    bias = node("Unsqueeze", [bias, "axes12"], "mask_bias")
    x = "x"
    for i in range(layers):
        q = f"encoder.layer.{i}."

        def lin(h: str, name: str, tag: str, q: str = q) -> str:
            wt = const(f"{q}{name}.wT", w[q + name + ".weight"].T.copy())
            b = const(f"{q}{name}.b", w[q + name + ".bias"])
            mm = node("MatMul", [h, wt], f"{tag}_mm")
            return node("Add", [mm, b], tag)

        def ln(h: str, name: str, tag: str, q: str = q) -> str:
            g = const(f"{q}{name}.g", w[q + name + ".weight"])
            b = const(f"{q}{name}.beta", w[q + name + ".bias"])
            return node("LayerNormalization", [h, g, b], tag, axis=-1, epsilon=1e-12)

        heads = {}
        for t in ("query", "key", "value"):
            h = lin(x, f"attention.self.{t}", f"l{i}_{t}")
            h = node("Reshape", [h, "shape_heads"], f"l{i}_{t}_r")
            perm = [0, 2, 3, 1] if t == "key" else [0, 2, 1, 3]
            heads[t] = node("Transpose", [h], f"l{i}_{t}_t", perm=perm)
        att = node("MatMul", [heads["query"], heads["key"]], f"l{i}_att")
        att = node("Mul", [att, "scale"], f"l{i}_att_s")
        att = node("Add", [att, bias], f"l{i}_att_m")
        att = node("Softmax", [att], f"l{i}_att_p", axis=-1)
        ctx = node("MatMul", [att, heads["value"]], f"l{i}_ctx")
        ctx = node("Transpose", [ctx], f"l{i}_ctx_t", perm=[0, 2, 1, 3])
        ctx = node("Reshape", [ctx, "shape_back"], f"l{i}_ctx_r")
        o = lin(ctx, "attention.output.dense", f"l{i}_o")
        x = ln(node("Add", [x, o], f"l{i}_res1"), "attention.output.LayerNorm", f"l{i}_ln1")
        h = lin(x, "intermediate.dense", f"l{i}_up")
        e = node("Erf", [node("Div", [h, "sqrt2"], f"l{i}_g0")], f"l{i}_g1")
        h = node(
            "Mul",
            [node("Mul", [h, "half"], f"l{i}_g2"), node("Add", [e, "one"], f"l{i}_g3")],
            f"l{i}_gelu",
        )
        d = lin(h, "output.dense", f"l{i}_down")
        x = ln(node("Add", [x, d], f"l{i}_res2"), "output.LayerNorm", f"l{i}_ln2")
    nodes.append(helper.make_node("Identity", [x], ["hidden"]))
    const("axis1", np.array([1], dtype=np.int64))
    const("axis2", np.array([2], dtype=np.int64))
    m3 = node("Unsqueeze", ["mask", "axis2"], "mask3")
    total = node("ReduceSum", [node("Mul", ["hidden", m3], "masked"), "axis1"], "total", keepdims=0)
    count = node("ReduceSum", [m3, "axis1"], "count", keepdims=0)
    pooled = node("Div", [total, count], "pooled")  # masked mean over the tokens
    if pool:
        const("tiny", np.array(1e-12, dtype=np.float32))
        norm = node("ReduceL2", [pooled], "norm", axes=[1], keepdims=1)
        node("Div", [pooled, node("Max", [norm, "tiny"], "norm_floor")], "vector")
        outputs = [helper.make_tensor_value_info("vector", TensorProto.FLOAT, ["b", DIM])]
    else:
        span_w = const("span.wT", w["head.span.weight"].T.copy())
        span_b = const("span.b", w["head.span.bias"])
        node("Add", [node("MatMul", ["hidden", span_w], "span_mm"), span_b], "span")
        ans_w = const("answer.wT", w["head.answer.weight"].T.copy())
        ans_b = const("answer.b", w["head.answer.bias"])
        node("Add", [node("MatMul", [pooled, ans_w], "answer_mm"), ans_b], "answer")
        outputs = [
            helper.make_tensor_value_info("answer", TensorProto.FLOAT, ["b", 1]),
            helper.make_tensor_value_info("span", TensorProto.FLOAT, ["b", "n", 2]),
        ]
    g = helper.make_graph(
        nodes,
        "reader",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, ["b", "n", DIM]),
            helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["b", "n"]),
        ],
        outputs,
        inits,
    )
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


EMBEDDING_PARTS = (
    "embeddings.position_embeddings.weight",
    "embeddings.token_type_embeddings.weight",
    "embeddings.LayerNorm.weight",
    "embeddings.LayerNorm.bias",
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("weights", type=Path, help="the training checkpoint (float16 .npz)")
    ap.add_argument("out", type=Path, help="folder for reader.onnx and reader.npz")
    ap.add_argument("--fp32", action="store_true", help="skip the int8 quantization")
    ap.add_argument(
        "--question-encoder",
        action="store_true",
        help="also write question-encoder.onnx: the sentence model's graph without its weights",
    )
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.question_encoder:
        write_question_encoder(args.out / "question-encoder.onnx")
    with np.load(args.weights) as npz:
        w = {k: npz[k].astype(np.float32) for k in npz.files if k != "__meta__"}
        meta = json.loads(bytes(npz["__meta__"]).decode())
    args.out.mkdir(parents=True, exist_ok=True)
    # The embedding side the product computes in numpy (beside the shared word-piece table).
    np.savez_compressed(
        args.out / "reader.npz",
        __meta__=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
        **{k: w[k].astype(np.float16) for k in EMBEDDING_PARTS},
    )
    model = graph(w, int(meta["layers"]))
    target = args.out / "reader.onnx"
    if args.fp32:
        onnx.save(model, target)
    else:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "fp32.onnx"
            onnx.save(model, src)
            quantize_dynamic(
                src, target, weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"]
            )
    print(f"{target}: {target.stat().st_size / 1e6:.1f} MB")


def write_question_encoder(target: Path) -> None:
    """The sentence model's six layers and pooling as an ONNX graph whose weights are left out
    (marked external): the product supplies the float32 arrays it already holds
    (``SessionOptions.add_external_initializers``), so a question's forward pass runs in
    onnxruntime (about 5 ms, against 13 in numpy) at the same precision, and nothing is shipped
    twice. The file is a few kilobytes."""
    rng = np.random.default_rng(0)
    shapes = {
        "query": (DIM, DIM),
        "key": (DIM, DIM),
        "value": (DIM, DIM),
        "attention.output.dense": (DIM, DIM),
        "intermediate.dense": (4 * DIM, DIM),
        "output.dense": (DIM, 4 * DIM),
    }
    w: dict[str, np.ndarray] = {}
    for i in range(6):
        q = f"encoder.layer.{i}."
        for name, shape in shapes.items():
            full = q + (f"attention.self.{name}" if name in ("query", "key", "value") else name)
            w[full + ".weight"] = rng.standard_normal(shape).astype(np.float32)
            w[full + ".bias"] = np.zeros(shape[0], np.float32)
        for ln in ("attention.output.LayerNorm", "output.LayerNorm"):
            w[q + ln + ".weight"] = np.ones(DIM, np.float32)
            w[q + ln + ".bias"] = np.zeros(DIM, np.float32)
    model = graph(w, 6, pool=True)
    for t in model.graph.initializer:
        if t.name.endswith((".wT", ".b", ".g", ".beta")):
            t.ClearField("raw_data")
            t.data_location = TensorProto.EXTERNAL
            entry = t.external_data.add()
            entry.key, entry.value = "location", "supplied-by-briefbot"
    onnx.save(model, target)
    print(f"{target}: {target.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
