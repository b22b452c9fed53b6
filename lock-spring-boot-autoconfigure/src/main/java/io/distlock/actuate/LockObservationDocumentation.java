package io.distlock.actuate;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The observations of distributed locks. With Spring Boot's actuator each becomes a timer (and a long task
 * timer {@code <name>.active} of the observations in progress), and a span when tracing is configured.
 */
public enum LockObservationDocumentation implements ObservationDocumentation {

	/**
	 * Acquiring a lock: from the call until the lock is granted or given up. Its timer is tagged with the
	 * {@link LowCardinalityKeys#OUTCOME outcome}.
	 */
	ACQUIRE {

		@Override
		public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
			return DefaultLockAcquireObservationConvention.class;
		}

		@Override
		public KeyName[] getLowCardinalityKeyNames() {
			return LowCardinalityKeys.values();
		}

		@Override
		public KeyName[] getHighCardinalityKeyNames() {
			return HighCardinalityKeys.values();
		}
	},

	/**
	 * Holding a lock: from its grant until its release. {@code distributed.lock.held.active} counts the locks
	 * this instance holds now. A hold whose lease was lost ends with a {@link io.distlock.core.LockLostException}
	 * as its error.
	 */
	HELD {

		@Override
		public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
			return DefaultLockHeldObservationConvention.class;
		}

		@Override
		public KeyName[] getLowCardinalityKeyNames() {
			return new KeyName[] { LowCardinalityKeys.NAME, LowCardinalityKeys.BACKEND };
		}

		@Override
		public KeyName[] getHighCardinalityKeyNames() {
			return HighCardinalityKeys.values();
		}
	};

	/** Tags of the meters and spans: bounded in number. */
	public enum LowCardinalityKeys implements KeyName {

		/** The lock's name, as in {@code @DistributedLocked(name = ...)} (without the key prefix). */
		NAME {

			@Override
			public String asString() {
				return "name";
			}
		},

		/** The backend: {@code redis}, {@code zookeeper}, {@code jdbc} or {@code in-memory}. */
		BACKEND {

			@Override
			public String asString() {
				return "backend";
			}
		},

		/** How an acquisition ended: {@code acquired}, {@code timeout} or {@code error}. */
		OUTCOME {

			@Override
			public String asString() {
				return "outcome";
			}
		}

	}

	/** Values of spans only: the key's values are unbounded, so they are never tags of a meter. */
	public enum HighCardinalityKeys implements KeyName {

		/** The lock's evaluated key ({@code ""} for a lock on the whole name). */
		KEY {

			@Override
			public String asString() {
				return "distributed.lock.key";
			}
		}

	}
}
