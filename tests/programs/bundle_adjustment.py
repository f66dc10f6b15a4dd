"""Bundle adjustment's reprojection error (as in the ADBench/GradBench objective): each camera is a
Rodrigues rotation vector, a translation and a focal length with radial distortion; 3-d points are
rotated, projected and compared with their observed 2-d positions."""
import numpy as np

import s2s


def rodrigues_rotate(rotation, point):
    theta = np.sqrt(np.sum(rotation ** 2))
    axis = rotation / theta
    cos, sin = np.cos(theta), np.sin(theta)
    return point * cos + np.cross(axis, point) * sin + axis * np.dot(axis, point) * (1.0 - cos)


def project(camera, point):
    p = rodrigues_rotate(camera[0:3], point) + camera[3:6]
    xy = p[:2] / p[2]
    r2 = np.sum(xy ** 2)
    distortion = 1.0 + camera[7] * r2 + camera[8] * r2 ** 2
    return camera[6] * distortion * xy


def reprojection_error(cameras, points, observations, camera_index, point_index):
    total = 0.0
    for k in range(observations.shape[0]):
        residual = project(cameras[camera_index[k]], points[point_index[k]]) - observations[k]
        total = total + np.sum(residual ** 2)
    return total / observations.shape[0]


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    n_cameras, n_points = (2, 2) if small else (4, 20)
    cameras = np.column_stack([0.2 * rng.normal(size=(n_cameras, 3)),
                               rng.normal(size=(n_cameras, 2)) * 0.1, np.full(n_cameras, 5.0),
                               np.full(n_cameras, 1.0), 0.01 * rng.normal(size=n_cameras),
                               0.001 * rng.normal(size=n_cameras)])
    points = rng.normal(size=(n_points, 3)) * 0.5
    camera_index = np.repeat(np.arange(n_cameras), n_points)
    point_index = np.tile(np.arange(n_points), n_cameras)
    observations = np.array([project(cameras[c], points[p]) for c, p in zip(camera_index, point_index)])
    observations = observations + 0.01 * rng.normal(size=observations.shape)
    noisy_points = points + 0.2 * rng.normal(size=points.shape)
    return cameras, noisy_points, observations, camera_index, point_index


def problem(seed=0, small=True):
    return reprojection_error, make_data(seed, small), 1


def main(steps=30, learning_rate=10.0):
    cameras, points, observations, camera_index, point_index = make_data(small=False)
    grad_points = s2s.grad(reprojection_error, wrt="points")
    for step in range(steps + 1):
        if step % 10 == 0:
            error = reprojection_error(cameras, points, observations, camera_index, point_index)
            print(f"step {step:4d}  loss {error:.6e}")
        points = points - learning_rate * grad_points(cameras, points, observations, camera_index, point_index)


if __name__ == "__main__":
    main()
