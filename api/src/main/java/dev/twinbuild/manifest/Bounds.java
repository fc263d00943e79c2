package dev.twinbuild.manifest;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.generator.annotation.Size;

import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The upper bounds of the spec types' {@link Size} annotations — the same annotations that become the
 * CRD's maxItems/maxLength/maxProperties — checked for the CLI, so that the two gates cannot disagree.
 */
final class Bounds {
    private static final String API_PACKAGE = "dev.twinbuild.api.v1alpha1";

    private Bounds() {
    }

    /** {@code List<@Size(max = N) String>}, {@code Map<String, @Size(max = N) String>}: the element's bound. */
    private static Size elementSize(Field f) {
        if (f.getAnnotatedType() instanceof AnnotatedParameterizedType t) {
            AnnotatedType[] args = t.getAnnotatedActualTypeArguments();
            return args[args.length - 1].getAnnotation(Size.class);
        }
        return null;
    }

    static void check(Object value, String path, List<String> errors) {
        if (value == null || !value.getClass().getPackageName().equals(API_PACKAGE) || value.getClass().isEnum()) {
            return;
        }
        for (Field f : value.getClass().getFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            JsonProperty p = f.getAnnotation(JsonProperty.class);
            String name = path + "." + (p != null && !p.value().isEmpty() ? p.value() : f.getName());
            Object v;
            try {
                v = f.get(value);
            } catch (IllegalAccessException e) {
                continue;
            }
            if (v == null) {
                continue;
            }
            Size size = f.getAnnotation(Size.class);
            if (size != null) {
                if (v instanceof String s && s.length() > size.max()) {
                    errors.add(name + ": may not be longer than " + size.max() + " characters");
                } else if (v instanceof Collection<?> c && c.size() > size.max()) {
                    errors.add(name + ": must have at most " + size.max() + " items");
                } else if (v instanceof Map<?, ?> m && m.size() > size.max()) {
                    errors.add(name + ": must have at most " + size.max() + " entries");
                }
            }
            Size items = elementSize(f);
            if (v instanceof List<?> list) {
                for (int i = 0; i < list.size(); i++) {
                    if (items != null && list.get(i) instanceof String s && s.length() > items.max()) {
                        errors.add(name + "[" + i + "]: may not be longer than " + items.max() + " characters");
                    }
                    check(list.get(i), name + "[" + i + "]", errors);
                }
            } else if (v instanceof Map<?, ?> map && items != null) {
                map.forEach((k, x) -> {
                    if (x instanceof String s && s.length() > items.max()) {
                        errors.add(name + "." + k + ": may not be longer than " + items.max() + " characters");
                    }
                });
            } else {
                check(v, name, errors);
            }
        }
    }
}
