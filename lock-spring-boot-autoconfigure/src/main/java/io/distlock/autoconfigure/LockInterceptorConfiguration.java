package io.distlock.autoconfigure;

import org.springframework.context.annotation.Configuration;

/** The {@code @DistributedLocked} advisor (filled in with the interceptor). */
@Configuration(proxyBeanMethods = false)
class LockInterceptorConfiguration {

}
