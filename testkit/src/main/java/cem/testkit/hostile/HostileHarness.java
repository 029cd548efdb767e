package cem.testkit.hostile;

import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainerHook;
import net.jqwik.api.lifecycle.BeforeContainerHook;
import net.jqwik.api.lifecycle.ContainerLifecycleContext;

/**
 * What every module's hostile-answer harness shares: its properties take {@code @ForAll("mutations")},
 * and after its tries the class prints how they ended ({@link HostileAnswers#report}).
 */
@AddLifecycleHook(HostileHarness.Report.class)
public abstract class HostileHarness {

    @Provide
    public Arbitrary<List<Mutation>> mutations() {
        return HostileAnswers.mutations();
    }

    /** Counts each harness class's tries from zero and prints their report after them (none when no try went through {@link HostileAnswers#check}). */
    public static final class Report implements BeforeContainerHook, AfterContainerHook {

        @Override
        public void beforeContainer(ContainerLifecycleContext context) {
            HostileAnswers.TRIES.set(0);
            HostileAnswers.REFUSED.set(0);
        }

        @Override
        public void afterContainer(ContainerLifecycleContext context) {
            if (HostileAnswers.TRIES.get() > 0) {
                System.out.println(HostileAnswers.report(context.optionalContainerClass().map(Class::getName).orElse("?")));
            }
        }
    }
}
