package io.moslora.nn;

import java.util.ArrayList;
import java.util.List;

/** Children named 0, 1, 2, … as PyTorch's {@code nn.ModuleList} names them ({@code layers.0.…}). */
public class ModuleList<M extends Module> extends Module {
    private final List<M> items = new ArrayList<>();

    public ModuleList<M> add(M module) {
        addChild(Integer.toString(items.size()), module);
        items.add(module);
        return this;
    }

    /** The module now at index i (an adapter may have replaced the original). */
    @SuppressWarnings("unchecked")
    public M get(int i) {
        return (M) child(Integer.toString(i));
    }

    public int size() {
        return items.size();
    }
}
