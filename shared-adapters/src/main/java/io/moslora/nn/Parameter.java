package io.moslora.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * A named slot for one weight tensor. It knows its shape from the moment the module is built, but holds no
 * memory until it is materialized or loaded — so a 7B architecture can be built and counted without weights.
 */
public final class Parameter {
    private final Shape shape;
    private final Init init;
    private NDArray array;
    private boolean trainable = true;

    public Parameter(Shape shape, Init init) {
        this.shape = shape;
        this.init = init;
    }

    public Shape shape() {
        return shape;
    }

    public long numel() {
        return shape.size();
    }

    public boolean isMaterialized() {
        return array != null;
    }

    /** The values; fails clearly on a shape-only parameter. */
    public NDArray array() {
        if (array == null) {
            throw new IllegalStateException("parameter of shape " + shape + " has no values (shape-only module)");
        }
        return array;
    }

    /** Replaces the values (closing the old ones); the shape must match exactly. */
    public void set(NDArray values) {
        if (!values.getShape().equals(shape)) {
            throw new IllegalArgumentException("expected shape " + shape + ", got " + values.getShape());
        }
        if (array != null && array != values) {
            array.close();
        }
        array = values;
        if (trainable && values.getDataType().isFloating()) {
            values.setRequiresGradient(true);
        }
    }

    public void materialize(NDManager manager, DataType dtype) {
        set(init.create(manager, shape, dtype));
    }

    public boolean trainable() {
        return trainable;
    }

    /** Frozen parameters carry no gradient, so backward never spends time or memory on them. */
    public void setTrainable(boolean trainable) {
        this.trainable = trainable;
        if (array != null) {
            array.setRequiresGradient(trainable && array.getDataType().isFloating());
        }
    }
}
