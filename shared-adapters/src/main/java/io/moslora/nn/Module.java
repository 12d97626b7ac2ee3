package io.moslora.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A node of a PyTorch-like module tree. Children and parameters are registered by name, so the dotted path of
 * every parameter ({@code model.layers.0.self_attn.q_proj.weight}) is exactly its Hugging Face state-dict key.
 * Building a module allocates nothing; {@link #materialize} or a loader gives parameters their values.
 */
public abstract class Module {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training;

    protected final Parameter addParameter(String name, Parameter parameter) {
        checkName(name);
        parameters.put(name, parameter);
        return parameter;
    }

    public final <M extends Module> M addChild(String name, M child) {
        checkName(name);
        children.put(name, child);
        return child;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("bad module/parameter name '" + name + "'");
        }
        if (parameters.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("name '" + name + "' registered twice");
        }
    }

    /** Makes {@code name} refer to a parameter owned elsewhere (tied weights such as lm_head ↔ embed_tokens). */
    public final void shareParameter(String name, Parameter shared) {
        if (!parameters.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no parameter '" + name + "' to tie");
        }
        parameters.put(name, shared);
    }

    /** Training mode (dropout active) for this module and everything below it, as PyTorch's {@code train()}. */
    public final void train(boolean on) {
        namedModules().values().forEach(m -> m.training = on);
    }

    public final boolean isTraining() {
        return training;
    }

    /** Own parameter by its local name. */
    public final Parameter parameter(String name) {
        Parameter p = parameters.get(name);
        if (p == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no parameter '" + name + "'");
        }
        return p;
    }

    /** Direct child by its local name. */
    public final Module child(String name) {
        Module m = children.get(name);
        if (m == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no child '" + name + "'");
        }
        return m;
    }

    /**
     * The child as a one-in-one-out layer. Forward passes look children up by name on every call, so that a
     * child replaced by an adapter wrapper is used from then on without the parent knowing.
     */
    protected final Layer layer(String name) {
        return (Layer) child(name);
    }

    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** The module at a dotted path ("" is this module). */
    public final Module get(String path) {
        Module m = this;
        if (path.isEmpty()) {
            return m;
        }
        for (String part : path.split("\\.")) {
            m = m.child(part);
        }
        return m;
    }

    /** Swaps the module at {@code path} for {@code replacement} (how adapters are injected). */
    public final void replace(String path, Module replacement) {
        int dot = path.lastIndexOf('.');
        Module parent = dot < 0 ? this : get(path.substring(0, dot));
        String name = path.substring(dot + 1);
        if (!parent.children.containsKey(name)) {
            throw new IllegalArgumentException("no module at '" + path + "'");
        }
        parent.children.put(name, replacement);
    }

    /** Every module below (and including) this one by dotted path, in registration order. */
    public final Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", out);
        return out;
    }

    private void collectModules(String prefix, Map<String, Module> out) {
        out.put(prefix, this);
        for (Map.Entry<String, Module> e : children.entrySet()) {
            e.getValue().collectModules(join(prefix, e.getKey()), out);
        }
    }

    /**
     * Every parameter by state-dict key. A parameter shared by two modules (tied embeddings) appears under
     * both keys, as it does in PyTorch's {@code state_dict()}.
     */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collectParameters("", out);
        return out;
    }

    private void collectParameters(String prefix, Map<String, Parameter> out) {
        for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
            out.put(join(prefix, e.getKey()), e.getValue());
        }
        for (Map.Entry<String, Module> e : children.entrySet()) {
            e.getValue().collectParameters(join(prefix, e.getKey()), out);
        }
    }

    /** Distinct parameters (shared ones once), as PyTorch's {@code parameters()} yields them. */
    public final Set<Parameter> distinctParameters() {
        Set<Parameter> set = Collections.newSetFromMap(new IdentityHashMap<>());
        set.addAll(namedParameters().values());
        return set;
    }

    public final long parameterCount() {
        return distinctParameters().stream().mapToLong(Parameter::numel).sum();
    }

    public final long trainableParameterCount() {
        return distinctParameters().stream().filter(Parameter::trainable).mapToLong(Parameter::numel).sum();
    }

    /** Trainable parameters by key, each once. */
    public final Map<String, Parameter> trainableParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        Set<Parameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        namedParameters().forEach((k, p) -> {
            if (p.trainable() && seen.add(p)) {
                out.put(k, p);
            }
        });
        return out;
    }

    public final void setTrainable(boolean trainable) {
        namedParameters().values().forEach(p -> p.setTrainable(trainable));
    }

    /** Gives every parameter that has no values yet its initial values. */
    public final void materialize(NDManager manager, DataType dtype) {
        // in key order, not distinctParameters()' identity-hash order: a seed must fix every initial weight
        Set<Parameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Parameter p : namedParameters().values()) {
            if (seen.add(p) && !p.isMaterialized()) {
                p.materialize(manager, dtype);
            }
        }
    }

    /** Current values by key; shape-only parameters are left out. */
    public final Map<String, NDArray> stateDict() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        namedParameters().forEach((k, p) -> {
            if (p.isMaterialized()) {
                out.put(k, p.array());
            }
        });
        return out;
    }

    /** Moves floating-point parameters to a device and dtype; integer buffers keep their type. */
    public final void to(NDManager manager, Device device, DataType dtype) {
        io.moslora.engine.Bf16Guard.requireDjlSafe(dtype, "Module.to");
        for (Parameter p : distinctParameters()) {
            if (!p.isMaterialized()) {
                continue;
            }
            NDArray a = p.array();
            NDArray moved = a.toDevice(device, false);
            if (a.getDataType().isFloating() && a.getDataType() != dtype) {
                moved = moved.toType(dtype, false);
            }
            if (moved != a) {
                moved.attach(manager);
                p.set(moved);
            }
        }
    }

    private static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }
}
